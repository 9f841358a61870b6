"""Fit the confidence calibrator on the fitting half of the JobBERT validation titles and store it
beside the model (calibration.json, tagged with the model version).

    .venv/bin/python scripts/calibrate.py [--model models/jobmatch-esco]
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.encoder.sentence import SentenceTransformerEncoder  # noqa: E402
from app.encoder.factory import DEFAULT_MODEL  # noqa: E402
from app.matching.confidence import FEATURES, Calibrator  # noqa: E402
from app.matching.scorer import CALIBRATION_FILE, MatchScorer  # noqa: E402
from app.training.calibration import split_halves, top1_table  # noqa: E402
from app.training.data import load_occupations, load_validation_titles  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    ap.add_argument("--esco", type=Path, default=SHARED / "esco" / "occupations_en.csv")
    ap.add_argument("--titles", type=Path, default=SHARED / "jobbert_validation" / "titles.csv")
    args = ap.parse_args()

    occs = load_occupations(args.esco)
    uri = {o.uri: i for i, o in enumerate(occs)}
    pairs = [(t, uri[u]) for t, u in load_validation_titles(args.titles) if u in uri]
    fit_idx, _ = split_halves(len(pairs))
    fit = [pairs[i] for i in fit_idx]
    enc = SentenceTransformerEncoder(args.model)
    scorer = MatchScorer(enc, None)
    table = top1_table(scorer, enc.encode([t for t, _ in fit]), enc.encode([o.label for o in occs]),
                       np.array([g for _, g in fit]))
    cal = Calibrator.fit(table.X, table.correct, FEATURES, model_version=enc.version)
    cal.save(args.model / CALIBRATION_FILE)
    print(f"fitted on {len(fit)} titles (top-1 accuracy {table.correct.mean():.3f}); "
          f"wrote {args.model / CALIBRATION_FILE} for model {enc.version}")
    for f, c in zip(cal.features, cal.coef):
        print(f"  {f:18s} {c:+.3f}")


if __name__ == "__main__":
    main()
