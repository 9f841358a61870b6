"""Occupation normalisation through the real store: latency and accuracy, served ranking vs labels only.

    .venv/bin/python scripts/bench_normalize.py [--titles-limit 2000] [--limit 3]

Loads all ESCO occupations into an embedded store in a temp dir (one point per label plus one per
description), encodes JobBERT validation titles once, then times `Normalizer.vector` (label search,
re-rank of the best 50 with descriptions and lexical scores, exclusion-rule query, confidence) per
title. Baselines in the same run: labels only (the best `limit` occupations by label, no re-rank), and
the re-rank with descriptions but no lexical score. Also prints the top-1 accuracy and MRR@limit
reached through the store (HNSW), to compare with `scripts/evaluate.py`.
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from app.bench.serving import percentiles
from app.matching.normalize import Normalizer
from app.matching.occupations import OccupationIndex
from app.matching.ranking import RankingProfile
from app.reference.loader import occupation_doc
from app.services import Services
from app.settings import Settings
from app.training.data import load_occupations, load_validation_titles, shared_data

SHARED = shared_data()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--esco", type=Path, default=SHARED / "esco" / "occupations_en.csv")
    ap.add_argument("--titles", type=Path, default=SHARED / "jobbert_validation" / "titles.csv")
    ap.add_argument("--titles-limit", type=int, default=2000)
    ap.add_argument("--limit", type=int, default=3, help="occupations returned per title (3 = what ingest keeps)")
    ap.add_argument("--overfetch", type=int, default=None, help="label hits fetched per wanted occupation")
    args = ap.parse_args()

    occs = load_occupations(args.esco)
    known = {o.uri for o in occs}
    pairs = [(t, u) for t, u in load_validation_titles(args.titles) if u in known][: args.titles_limit]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), reference_occupations="none", optimize_after_writes=10**9)
        services = Services.build(settings)
        enc, store, scorer, rules, served = (
            services.encoder,
            services.store,
            services.scorer,
            services.rules,
            services.occupations,
        )
        model_id = enc.model_id
        extra = {"overfetch": args.overfetch} if args.overfetch else {}
        if args.overfetch:
            served.overfetch = args.overfetch
        t = time.perf_counter()
        for i in range(0, len(occs), 250):
            served.put_many([occupation_doc(o) for o in occs[i : i + 250]])
        load_s = time.perf_counter() - t
        t = time.perf_counter()
        store.optimize("occupations")
        print(
            f"model {model_id} ({enc.backend}); {len(occs)} occupations loaded in {load_s:.0f} s, "
            f"HNSW built in {time.perf_counter() - t:.1f} s; {len(pairs)} titles, limit {args.limit}"
        )
        labels_only = OccupationIndex(enc, store, model_id, weights=RankingProfile(), rerank_depth=0)
        texts = [p[0] for p in pairs]
        vectors = enc.encode(texts)
        dense = OccupationIndex(enc, store, model_id, weights=RankingProfile(served.weights.description), **extra)
        for name, index in (
            ("labels only (baseline)", labels_only),
            ("+ description re-rank", dense),
            ("served: + description + lexical", served),
        ):
            norm = Normalizer(enc, index, rules, scorer)
            lat, ranks = [], []
            for v, (text, uri) in zip(vectors, pairs):
                t = time.perf_counter()
                n = norm.vector(v, text, args.limit)
                lat.append((time.perf_counter() - t) * 1000)
                found = [h.occupation.doc["external_id"] for h in n.hits]
                ranks.append(found.index(uri) + 1 if uri in found else 0)
            r = np.array(ranks)
            mrr = np.mean(np.where(r > 0, 1 / np.maximum(r, 1), 0))
            print(f"{name:30s} {percentiles(lat)} | top-1 accuracy {np.mean(r == 1):.4f}  MRR@{args.limit} {mrr:.4f}")
        services.close()


if __name__ == "__main__":
    main()
