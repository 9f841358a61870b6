"""Match latency with one matcher setting off and on, interleaved, on a kept embedded store, per bench filter.

    .venv/bin/python scripts/bench_interleaved.py --folder <kept store, e.g. from bench_scale.py --keep> \
        [--compare pool-terms|geo-cells] [--layout int8-m32-seg-scan] [--share 0.05] [--ef 256]

What is compared (--compare):
  pool-terms  the pool's BM25 search on every query term, and without those in more than --share of the
              records (JOBMATCH_MATCH_POOL_MAX_SHARE; scripts/bench_pool_terms.py before 2026-12-02)
  geo-cells   a radius filter alone, and with the whole-degree cells its circle reaches (f_geo_cell, used
              once every stored point carries it; `app.matching.geo_cells`); filters without a radius are
              the same both ways and are skipped

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
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import APART, GEO_APART, LAYOUTS, bench_jobs, filters, kept_settings  # noqa: E402

from app.bench.serving import cpu_name  # noqa: E402


def switches(services, compare: str, share: float) -> tuple[tuple[str, str], Callable[[bool], None]]:
    """The two settings' names, and what turns the second on (True) or off (False)."""
    matcher, records = services.matcher, services.records
    if compare == "pool-terms":

        def pool_terms(on: bool) -> None:
            matcher.pool_terms.max_share = share if on else None

        return ("every term", f"without terms in > {share:.0%}"), pool_terms

    from app.domain import Kind

    if not records.combined_filters(Kind.CANDIDATE):
        raise SystemExit("stored candidates lack the geo cell: build the store again")

    def geo_cells(on: bool) -> None:
        records.combined_filters = lambda kind: on  # the matcher's choice, held

    return ("radius alone", "radius with its cells"), geo_cells


def main() -> None:
    from app.domain import Kind
    from app.services import Services

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folder", type=Path, required=True, help="a kept store (its bench-jobs.json names the queries)")
    ap.add_argument("--compare", choices=("pool-terms", "geo-cells"), default="pool-terms")
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
    (off_name, on_name), turn = switches(services, args.compare, args.share)
    job_ids, _ = bench_jobs(services, args.folder)
    print(
        f"CPU: {cpu_name()}; {args.folder}, layout {args.layout}, ef {args.ef}; "
        f"match p50 of {len(job_ids)} jobs x {args.rounds}"
    )
    for name, flt in filters(docs).items():
        if name in (APART, GEO_APART) or (args.compare == "geo-cells" and (flt is None or flt.radius_km is None)):
            continue
        for jid in job_ids[:20]:  # warm-up
            for on in (False, True):
                turn(on)
                matcher.for_record(Kind.JOB, jid, flt, 10, 0)
        took: dict[bool, list[float]] = {False: [], True: []}
        shared, shared_cvs = [], []
        for r in range(args.rounds):
            for i, jid in enumerate(job_ids):
                pages = {}
                for on in (False, True) if (i + r) % 2 else (True, False):
                    turn(on)
                    t = time.perf_counter()
                    pages[on] = matcher.for_record(Kind.JOB, jid, flt, 10, 0)
                    took[on].append((time.perf_counter() - t) * 1000)
                if r == 0:
                    a, b = ({m.record.id for m in pages[s].matches} for s in (False, True))
                    shared.append(len(a & b) / max(1, len(a)))
                    a, b = ({m.record.doc.get("cv_text") for m in pages[s].matches} for s in (False, True))
                    shared_cvs.append(len(a & b) / max(1, len(a)))
        off, on = (float(np.percentile(took[s], 50)) for s in (False, True))
        print(
            f"  {name:42s} {off_name} {off:6.2f} ms   {on_name} {on:6.2f} ms"
            f"   ratio {on / off:.2f}   top 10 shared {np.mean(shared):.3f} (their CVs {np.mean(shared_cvs):.3f})",
            flush=True,
        )
    services.close()


if __name__ == "__main__":
    main()
