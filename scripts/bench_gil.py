"""Does a store query let other Python threads run? A pure-Python counter thread runs beside searches of a
kept embedded store; its rate during them, against its rate while the main thread sleeps, is the share of
the interpreter the searches leave to the rest of the process (1.0: the GIL is released; near 0: held).

    .venv/bin/python scripts/bench_gil.py --folder <kept store, e.g. from bench_scale.py --keep> [--layout int8-m32]

Both rates come from one run, so the ratio does not depend on this machine's speed of the hour.
"""

import argparse
import itertools
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import LAYOUTS, bench_jobs, kept_settings  # noqa: E402

from app.bench.serving import cpu_name  # noqa: E402


def main() -> None:
    from app.domain import DEFAULT_TENANT
    from app.matching.filters import match_filter
    from app.services import Services

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folder", type=Path, required=True, help="a kept store (its bench-jobs.json names the queries)")
    ap.add_argument("--layout", default="int8-m32", choices=sorted(LAYOUTS))
    ap.add_argument("--seconds", type=float, default=3.0, help="how long each phase runs")
    args = ap.parse_args()
    services = Services.build(kept_settings(args.folder, args.layout, warm_up=False))
    store = services.store
    _, vectors = bench_jobs(services, args.folder)
    flt = match_filter(None, DEFAULT_TENANT, services.records.model_id)
    count, stop = [0], threading.Event()

    def spin() -> None:
        while not stop.is_set():
            count[0] += 1

    def rate(work) -> tuple[float, int]:
        start, t, calls = count[0], time.perf_counter(), 0
        while time.perf_counter() - t < args.seconds:
            work()
            calls += 1
        return (count[0] - start) / (time.perf_counter() - t), calls

    print(f"CPU: {cpu_name()}; store {args.folder}")
    thread = threading.Thread(target=spin, daemon=True)
    thread.start()
    idle, _ = rate(lambda: time.sleep(0.01))

    def searches(exact: bool):
        queries = itertools.cycle(vectors)
        return lambda: store.search("candidates", next(queries), flt, 50, exact=exact)

    for name, exact in (("index search, 50 best", False), ("exact search, 50 best", True)):
        busy, calls = rate(searches(exact))
        print(f"{name}: {calls} searches; counter thread at {busy / idle:.2f} of its rate beside a sleep")
    stop.set()
    thread.join()
    services.close()


if __name__ == "__main__":
    main()
