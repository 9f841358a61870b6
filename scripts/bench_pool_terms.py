"""Match latency with the pool's BM25 search on every query term and without the common ones
(JOBMATCH_MATCH_POOL_MAX_SHARE), on a kept embedded store, per bench filter.

    .venv/bin/python scripts/bench_pool_terms.py --folder <kept store, e.g. from bench_scale.py --keep> \
        [--layout int8-m32-seg-scan] [--share 0.05] [--ef 256]

Each job is matched both ways in turn, first one then the other by turns, so the ratio comes from one loop
and not from this machine's speed of the hour. Also prints how many of the top 10 both ways share, by id and by
CV (the benchmark stores near-copies of each real CV: same text, vectors apart). Ranking quality
is measured on labelled pairs by scripts/evaluate_matching.py with the setting in the environment.
"""

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import APART, LAYOUTS, bench_jobs, filters, kept_settings  # noqa: E402

from app.bench.serving import cpu_name  # noqa: E402


def main() -> None:
    from app.domain import Kind
    from app.services import Services

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folder", type=Path, required=True, help="a kept store (its bench-jobs.json names the queries)")
    ap.add_argument("--layout", default="int8-m32-seg-scan", choices=sorted(LAYOUTS))
    ap.add_argument("--share", type=float, default=0.05, help="JOBMATCH_MATCH_POOL_MAX_SHARE to compare with none")
    ap.add_argument("--ef", type=int, default=256, help="JOBMATCH_HNSW_EF")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    docs = json.loads((args.folder.parent / "base.json").read_text())
    services = Services.build(kept_settings(args.folder, args.layout, warm_up=True))
    services.start()
    store, matcher = services.store, services.matcher
    while store.info()["collections"][Kind.CANDIDATE.value]["warm_up"] == "running":
        time.sleep(0.2)
    store.layout = dataclasses.replace(store.layout, hnsw_ef=args.ef)
    job_ids, _ = bench_jobs(services, args.folder)
    print(
        f"CPU: {cpu_name()}; {args.folder}, layout {args.layout}, ef {args.ef}; "
        f"match p50 of {len(job_ids)} jobs x {args.rounds}"
    )
    for name, flt in filters(docs).items():
        if name == APART:
            continue
        for jid in job_ids[:20]:  # warm-up
            matcher.for_record(Kind.JOB, jid, flt, 10, 0)
        took: dict[float | None, list[float]] = {None: [], args.share: []}
        shared, shared_cvs = [], []
        for r in range(args.rounds):
            for i, jid in enumerate(job_ids):
                pages = {}
                for share in (None, args.share) if (i + r) % 2 else (args.share, None):
                    matcher.pool_terms.max_share = share
                    t = time.perf_counter()
                    pages[share] = matcher.for_record(Kind.JOB, jid, flt, 10, 0)
                    took[share].append((time.perf_counter() - t) * 1000)
                if r == 0:
                    a, b = ({m.record.id for m in pages[s].matches} for s in (None, args.share))
                    shared.append(len(a & b) / max(1, len(a)))
                    a, b = ({m.record.doc.get("cv_text") for m in pages[s].matches} for s in (None, args.share))
                    shared_cvs.append(len(a & b) / max(1, len(a)))
        every, fewer = (float(np.percentile(took[s], 50)) for s in (None, args.share))
        print(
            f"  {name:42s} every term {every:6.2f} ms   without terms in > {args.share:.0%} {fewer:6.2f} ms"
            f"   ratio {fewer / every:.2f}   top 10 shared {np.mean(shared):.3f} (their CVs {np.mean(shared_cvs):.3f})",
            flush=True,
        )
    services.close()


if __name__ == "__main__":
    main()
