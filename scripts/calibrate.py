"""Fit what the confidence of a model needs on the fitting half of the JobBERT validation titles and
store it beside the model (calibration.json, tagged with the model version):

- the occupation ranking: a character n-gram lexicon fitted on the ontology's labels, and the weights of
  best label + w_d x description + w_l x lexical, chosen together by MRR;
- the calibrator of occupation normalisation (OCCUPATION_FEATURES) on the top-1 occupations;
- the calibrator of job <-> candidate matches (FEATURES) on the same top-1 occupations.

    .venv/bin/python scripts/calibrate.py [--model models/jobmatch-esco] [--backend auto]
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.encoder.factory import DEFAULT_MODEL, build_encoder  # noqa: E402
from app.matching.occupations import RERANK_DEPTH  # noqa: E402
from app.matching.scorer import CALIBRATION_FILE, MatchScorer  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.matching.lexical import Lexicon  # noqa: E402
from app.training.calibration import (OccupationVectors, Rankings, choose_weights, fit_calibration,  # noqa: E402
                                      split_halves, top1_table)
from app.training.data import load_occupations, load_validation_titles  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    ap.add_argument("--backend", choices=["auto", "torch", "onnx"], default="auto",
                    help="auto = what the service runs (ONNX when exported)")
    ap.add_argument("--esco", type=Path, default=SHARED / "esco" / "occupations_en.csv")
    ap.add_argument("--titles", type=Path, default=SHARED / "jobbert_validation" / "titles.csv")
    args = ap.parse_args()

    occs = load_occupations(args.esco)
    uri = {o.uri: i for i, o in enumerate(occs)}
    pairs = [(t, uri[u]) for t, u in load_validation_titles(args.titles) if u in uri]
    fit_idx, _ = split_halves(len(pairs))
    texts, gold = [pairs[i][0] for i in fit_idx], np.array([pairs[i][1] for i in fit_idx])
    enc = build_encoder(Settings(model_path=args.model, encoder_backend=args.backend))
    occ = OccupationVectors.encode(enc.encode, occs)
    queries = enc.encode(texts)
    lexicon = Lexicon.fit(occ.labels)
    rankings = Rankings.of(queries, occ, texts, lexicon)
    weights = choose_weights(rankings, gold, RERANK_DEPTH, lexicon)
    table = top1_table(MatchScorer(enc, None), texts, queries, rankings, occ, gold, weights, RERANK_DEPTH)
    cal = fit_calibration(table, enc.version, weights)
    cal.save(args.model / CALIBRATION_FILE)
    print(f"fitted on {len(texts)} titles with {enc.backend}: description weight {weights.description}, "
          f"lexical weight {weights.lexical} (lexicon of {len(lexicon.df)} n-grams from {lexicon.n_docs} labels), "
          f"top-1 accuracy {table.correct.mean():.3f}; wrote {args.model / CALIBRATION_FILE} for model {enc.version}")
    for name, c in (("occupation normalisation", cal.occupation), ("job <-> candidate matches", cal.match)):
        print(f"{name}:")
        for f, coef in zip(c.features, c.coef):
            print(f"  {f:22s} {coef:+.3f}")


if __name__ == "__main__":
    main()
