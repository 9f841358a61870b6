"""Tenants in one collection (a `tenant` payload field with a keyword index, every query filtered: what
the service does) against one collection per tenant, in the embedded engine, on the same vectors.

    .venv/bin/python scripts/bench_tenants.py --points 100000 --tenants 20 --queries 300

Vectors are random unit vectors (384-d; search latency does not depend on what they mean). Prints the
write + index-build time of each layout, search p50/p95 for one tenant's 10 nearest, and whether the
filtered search returns exactly the per-tenant collection's answer (recall@10 against it).
"""

import argparse
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

from app.bench.serving import cpu_name
from app.store.base import FieldType, StoredPoint
from app.store.conditions import Filter, Match
from app.store.edge import EdgeStore

DIM = 384


def ms(samples: list[float]) -> str:
    a = np.array(samples) * 1000
    return f"p50 {np.percentile(a, 50):.2f} ms, p95 {np.percentile(a, 95):.2f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--tenants", type=int, default=20)
    ap.add_argument("--queries", type=int, default=300)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    vecs = rng.standard_normal((args.points, DIM)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    owner = rng.integers(0, args.tenants, args.points)
    ids = [str(uuid.UUID(int=i + 1)) for i in range(args.points)]
    names = [f"t{t}" for t in range(args.tenants)]
    queries = rng.standard_normal((args.queries, DIM)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    asked = rng.integers(0, args.tenants, args.queries)
    print(f"CPU: {cpu_name()}; {args.points} points, {args.tenants} tenants, {args.queries} queries")

    with tempfile.TemporaryDirectory() as tmp:
        shared = EdgeStore(Path(tmp) / "shared", optimize_after_writes=10**9)
        per = EdgeStore(Path(tmp) / "per", optimize_after_writes=10**9)
        t = time.perf_counter()
        shared.ensure_collection("all", DIM, {"tenant": FieldType.TENANT})
        for i in range(0, args.points, 1000):
            shared.upsert(
                "all",
                [
                    StoredPoint(ids[j], {"tenant": names[owner[j]]}, vecs[j].tolist())
                    for j in range(i, min(i + 1000, args.points))
                ],
            )
        shared.optimize("all")
        build_shared = time.perf_counter() - t
        t = time.perf_counter()
        for k, name in enumerate(names):
            per.ensure_collection(name, DIM, {})
            mine = np.flatnonzero(owner == k)
            for i in range(0, len(mine), 1000):
                per.upsert(name, [StoredPoint(ids[j], {}, vecs[j].tolist()) for j in mine[i : i + 1000]])
            per.optimize(name)
        build_per = time.perf_counter() - t

        lat_shared, lat_per, overlap = [], [], []
        for q, k in zip(queries, asked):
            t = time.perf_counter()
            a = shared.search("all", q.tolist(), Filter(must=[Match("tenant", names[k])]), 10)
            lat_shared.append(time.perf_counter() - t)
            t = time.perf_counter()
            b = per.search(names[k], q.tolist(), None, 10)
            lat_per.append(time.perf_counter() - t)
            assert all(owner[int(uuid.UUID(h.id)) - 1] == k for h in a), "a filtered search crossed tenants"
            overlap.append(len({h.id for h in a} & {h.id for h in b}) / max(1, len(b)))
        print(f"one collection, tenant index: write + build {build_shared:.1f} s; search {ms(lat_shared)}")
        print(f"a collection per tenant:      write + build {build_per:.1f} s; search {ms(lat_per)}")
        print(
            f"ratio filtered / per-tenant search p50: {np.median(lat_shared) / np.median(lat_per):.2f}; "
            f"recall@10 of the filtered search against the per-tenant answer: {np.mean(overlap):.4f}"
        )
        shared.close()
        per.close()


if __name__ == "__main__":
    main()
