"""How deep to re-rank occupations for a stored record's top 3: time per title, and agreement with the
/normalize depth (50), on JobBERT validation titles (validation data: choosing a parameter, never training).

    .venv/bin/python scripts/bench_summary_depth.py --titles 600 --depths 50 30 20

Loads the shipped ESCO set into a temporary store first (about 75 s), like the service's first start.
"""

import argparse
import csv
import tempfile
import time
from pathlib import Path

import numpy as np

from app.services import Services
from app.settings import Settings
from app.training.data import shared_data

TITLES = shared_data() / "jobbert_validation" / "titles.csv"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--titles", type=int, default=600)
    ap.add_argument("--depths", type=int, nargs="+", default=[50, 30, 20])
    args = ap.parse_args()
    rows = list(csv.DictReader(TITLES.open()))[: args.titles]
    titles, truth = [r["vacancyTitle"] for r in rows], [r["conceptUri"] for r in rows]
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="depth-")), reference_occupations="esco")
    with Services.build(settings) as state:
        state.start()
        state.reference.wait()
        state.records.store.optimize("occupations")  # searched as the service searches it once indexed
        norm, occupations = state.normalizer, state.occupations
        vectors = state.encoder.encode(titles)
        results = {}

        def tops(depth: int, n: int) -> list[list[dict]]:  # what Normalizer.summaries keeps, at this depth
            return [
                [{"id": h.occupation.id, "confidence": c} for h, c in zip(r.hits, r.confidences)]
                for r in (norm.vector(v, t, 3, depth=depth) for v, t in zip(vectors[:n], titles[:n]))
            ]

        for depth in args.depths:
            tops(depth, 50)  # warm the lexicon's label cache
            started = time.perf_counter()
            results[depth] = tops(depth, len(titles))
            per_title = (time.perf_counter() - started) / len(titles) * 1000
            top = [r[0] if r else None for r in results[depth]]
            acc = np.mean(
                [t is not None and occupations.get(t["id"]).doc.get("external_id") == u for t, u in zip(top, truth)]
            )
            line = f"depth {depth:>3}: {per_title:5.1f} ms per title, top-1 accuracy {acc:.4f}"
            base = results[args.depths[0]]
            if depth != args.depths[0]:
                same = [a[0]["id"] == b[0]["id"] for a, b in zip(base, results[depth]) if a and b]
                diff = [
                    abs((a[0]["confidence"] or 0) - (b[0]["confidence"] or 0))
                    for a, b in zip(base, results[depth])
                    if a and b and a[0]["id"] == b[0]["id"]
                ]
                line += (
                    f", same top-1 as depth {args.depths[0]}: {np.mean(same):.4f}, top-1 confidence "
                    f"|diff| p95 {np.percentile(diff, 95):.4f}"
                )
            print(line)


if __name__ == "__main__":
    main()
