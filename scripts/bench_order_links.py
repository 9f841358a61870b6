"""What the graph links of order-only fields cost an HNSW index build. The same points are written to two
embedded stores, one after the other in this process, whose `created_at` and `updated_at` are indexed as
before (`FieldType.FLOAT`: the engine also links each range of about full-scan-threshold points into the
graph) and as now (`FieldType.ORDER`: no links; they are only listed by), and each store's index is built.

    .venv/bin/python scripts/bench_order_links.py --points 300000 --base /tmp/scale/base.npz

Vectors: the encoded CVs of a `bench_scale.py` work folder (`--base`), mixed as its `--data mix` does,
or random unit vectors without it. Timestamps increase with the point (records arrive over time); each
point has a country and language tokens like a candidate. HNSW m 32, ef_construct 200 (the int8-m32
layout's graph; vectors in RAM). Prints each build's seconds and the ratio.
"""

import argparse
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

from app.bench.serving import cpu_name
from app.store.base import FieldType, StoredPoint, StoreLayout
from app.store.edge import EdgeStore

LAYOUT = StoreLayout(hnsw_m=32, hnsw_ef_construct=200)


class Points:
    """The same points for every store, made a batch at a time (a million as Python lists would not fit)."""

    def __init__(self, n: int, base: Path | None):
        rng = np.random.default_rng(0)
        if base is None:
            vecs = rng.standard_normal((n, 384)).astype(np.float32)
        else:
            real = np.load(base)["vecs"]
            u = rng.uniform(0, 0.3, (n, 1)).astype(np.float32)
            vecs = (1 - u) * real[rng.integers(0, len(real), n)] + u * real[rng.integers(0, len(real), n)]
            vecs += rng.normal(scale=0.002, size=vecs.shape).astype(np.float32)
        self.vecs = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
        self.stamps = time.time() + np.sort(rng.uniform(0, 86_400 * 30, n))
        self.countries = np.array(["DE", "FR", "PL", "IT", "ES", "NL", "AT", "GB"])[rng.integers(0, 8, n)]
        self.levels = rng.integers(1, 5, n)
        self.ids = [str(uuid.uuid4()) for _ in range(n)]

    def batches(self, size: int = 1000):
        for start in range(0, len(self.ids), size):
            yield [self.point(i) for i in range(start, min(start + size, len(self.ids)))]

    def point(self, i: int) -> StoredPoint:
        payload = {
            "created_at": float(self.stamps[i]),
            "updated_at": float(self.stamps[i]),
            "f_country": str(self.countries[i]),
            "f_lang": ["en:A1", "en:A2", "en:B1", "en:B2"][: self.levels[i]],
        }
        return StoredPoint(self.ids[i], payload, self.vecs[i].tolist())


def build_s(pts: Points, order: FieldType, root: Path) -> float:
    store = EdgeStore(root, optimize_after_writes=10**9, layout=LAYOUT)
    indexes = {"created_at": order, "updated_at": order, "f_country": FieldType.KEYWORD, "f_lang": FieldType.KEYWORD}
    store.ensure_collection("c", 384, indexes)
    for batch in pts.batches():
        store.upsert("c", batch)
    started = time.perf_counter()
    store.optimize("c")
    took = time.perf_counter() - started
    store.close()
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=300_000)
    ap.add_argument("--base", type=Path, default=None, help="base.npz of a bench_scale.py work folder")
    args = ap.parse_args()
    pts = Points(args.points, args.base)
    print(f"CPU: {cpu_name()}; {args.points:,} points, HNSW m 32 / ef_construct 200")
    took = {}
    for order in (FieldType.ORDER, FieldType.FLOAT):
        with tempfile.TemporaryDirectory() as folder:
            took[order] = build_s(pts, order, Path(folder))
        print(f"  created_at, updated_at indexed as {order.value:5s}: index build {took[order]:.1f} s", flush=True)
    print(f"  ratio ORDER / FLOAT: {took[FieldType.ORDER] / took[FieldType.FLOAT]:.2f}")


if __name__ == "__main__":
    main()
