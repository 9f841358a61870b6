"""Does the service keep answering while the embedded engine builds its HNSW index? The same 100k points
are indexed twice: in this process (`EdgeStore.optimize()`, what the service did before: the engine holds
the GIL for the whole build) and the way the service does it now (a child process indexes a copy while
this one serves; writes are replayed, then the copy takes over). Meanwhile one thread searches without
pause and another writes a point every 50 ms.

    .venv/bin/python scripts/bench_index_build.py --points 100000

Prints the build's wall time, and for the searches and writes made during it: how many, p50/p99/max
latency, and the longest stretch in which no search completed.
"""

import argparse
import tempfile
import threading
import time
import uuid
from pathlib import Path

import numpy as np

from app.store.base import FieldType, StoredPoint
from app.store.conditions import Filter, Match
from app.store.edge import EdgeStore

DIM = 384


def cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def fill(store: EdgeStore, n: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    vecs = rng.standard_normal((n, DIM)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    store.ensure_collection("c", DIM, {"country": FieldType.KEYWORD})
    for i in range(0, n, 2000):
        store.upsert(
            "c",
            [
                StoredPoint(str(uuid.UUID(int=j + 1)), {"country": "DE" if j % 3 else "FR"}, vecs[j].tolist())
                for j in range(i, min(i + 2000, n))
            ],
        )
    return vecs


def under_load(store: EdgeStore, vecs: np.ndarray, build) -> dict:
    stop = threading.Event()
    searches, writes, done_at = [], [], []

    def search():
        rng = np.random.default_rng(1)
        while not stop.is_set():
            q = vecs[rng.integers(len(vecs))]
            t = time.perf_counter()
            store.search("c", q.tolist(), Filter(must=[Match("country", "DE")]), 10)
            searches.append(time.perf_counter() - t)
            done_at.append(time.perf_counter())

    def write():
        k = 0
        while not stop.wait(0.05):
            t = time.perf_counter()
            store.upsert("c", [StoredPoint(str(uuid.UUID(int=10**9 + k)), {"country": "DE"}, vecs[k].tolist())])
            writes.append(time.perf_counter() - t)
            k += 1

    threads = [threading.Thread(target=search), threading.Thread(target=write)]
    for t in threads:
        t.start()
    started = time.perf_counter()
    build()
    wall = time.perf_counter() - started
    stop.set()
    for t in threads:
        t.join()
    marks = [started, *[d for d in done_at if started <= d <= started + wall], started + wall]
    return {"wall": wall, "search": searches, "write": writes, "gap": max(np.diff(marks))}


def line(name: str, r: dict) -> str:
    def stats(xs):
        a = np.array(xs) * 1000
        return (
            f"{len(a)}, p50 {np.percentile(a, 50):.1f} / p99 {np.percentile(a, 99):.1f} / max {a.max():.0f} ms"
            if len(a)
            else "none"
        )

    return (
        f"{name}: build {r['wall']:.1f} s; searches {stats(r['search'])}; writes {stats(r['write'])}; "
        f"longest time without an answered search {r['gap'] * 1000:.0f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=100_000)
    args = ap.parse_args()
    print(f"CPU: {cpu()}; {args.points} points of {DIM} dimensions")
    with tempfile.TemporaryDirectory() as tmp:
        store = EdgeStore(Path(tmp) / "a", optimize_after_writes=10**9)
        vecs = fill(store, args.points)
        print(line("in this process (before)", under_load(store, vecs, lambda: store.optimize("c"))))
        store.close()
        store = EdgeStore(Path(tmp) / "b", optimize_after_writes=10**9)
        fill(store, args.points)

        def background():
            with store.bulk_load("c"):
                pass
            time.sleep(0.5)
            store.wait_idle(3600)

        print(line("child process (served)  ", under_load(store, vecs, background)))
        print("after the switch:", store.info()["collections"]["c"])
        store.close()


if __name__ == "__main__":
    main()
