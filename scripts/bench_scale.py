"""Candidates at scale in the embedded engine: memory, disk, index build, match latency with and without
filters, recall of the index against exact search, and write rate, per store layout.

    .venv/bin/python scripts/bench_scale.py --sizes 100000,300000,1000000 --layouts plain,int8

How the data is made: 2,000 synthetic CVs (`app/bench/synthetic.py`, built from the shipped ESCO
occupations) are encoded by the served model; each stored candidate is one of them plus Gaussian noise
(sigma 0.025 per dimension), re-normalised, with that CV's payload as the service writes it (document,
fields read from the text, title vector, filter fields, BM25 sparse vector; `Records._point_of`).
Encoding a million CVs would take hours here; `scripts/bench_ingest.py` measures encoding.
Everything from the store upward is the service's code path: `Services.build` on the layout's
settings, 100 real jobs stored through `Records`, and `Matcher.for_record` answering them in process
(hybrid retrieval, criteria of the 50 best, confidence; the query itself encodes nothing).

Per size and layout, in a child process of its own (so its peak RSS is its own): write rate (points/s
into the store), HNSW build time (in process, as the service's child build does), disk, match
p50/p95/p99 for four filters, recall@10 of the dense index against exact search (every point, original
vectors) under the same filter, and the child's peak RSS (VmHWM). Layouts:
  plain  engine defaults: float32 vectors and payloads in RAM, HNSW m 16, ef_construct 100
  int8   int8 scalar quantization kept in RAM, best 2x rescored with the originals, which stay on disk
         with the payloads (JOBMATCH_STORE_QUANTIZATION=int8, _STORE_VECTORS_ON_DISK, _STORE_PAYLOAD_ON_DISK)
"""

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import numpy as np

from app.bench.serving import cpu_name, peak_rss_mb, percentiles

LAYOUTS = {
    "plain": {},
    "int8": {"store_quantization": "int8", "store_vectors_on_disk": True, "store_payload_on_disk": True},
    # the same, and filters keeping fewer than ~65,000 vectors (100 MB of float32) answered by exact scan
    "int8-scan": {
        "store_quantization": "int8",
        "store_vectors_on_disk": True,
        "store_payload_on_disk": True,
        "hnsw_full_scan_kb": 100_000,
    },
}
# query-time settings, measured one after the other on the same built store
SEARCHES = {
    "engine defaults": {},
    "ef 128 + ACORN": {"hnsw_ef": 128, "acorn": True},
}
QUERIES_PER_FILTER = 200
BATCH = 1000


def disk_mb(path: Path) -> float:
    """Blocks in use (the engine preallocates sparse files: their apparent size says little)."""
    return sum(f.stat().st_blocks * 512 for f in path.rglob("*") if f.is_file()) / 2**20


def prepare(out: Path, n_base: int) -> None:
    """Encode the base CVs once (parent process); children load them."""
    from app.bench.synthetic import make_cvs
    from app.encoder.factory import build_encoder
    from app.encoder.texts import candidate_text
    from app.settings import Settings

    docs = make_cvs(n_base, seed=7, words=120)
    encoder = build_encoder(Settings())
    started = time.perf_counter()
    vecs = encoder.encode_documents([candidate_text(d) for d in docs])
    titles = encoder.encode([d["desired_title"] for d in docs])
    print(f"encoded {n_base} base CVs in {time.perf_counter() - started:.0f} s ({encoder.model_id}, {encoder.backend})")
    np.savez(out / "base.npz", vecs=vecs, titles=titles)
    (out / "base.json").write_text(json.dumps(docs))


def filters(docs: list[dict]):
    from app.domain import Filters

    skills = [s for s, _ in Counter(s for d in docs for s in d["skills"]).most_common(40)][20:22]
    return {
        "no filter": None,
        "country + language": Filters(country="DE", languages={"en": "B1"}),
        "geo 300 km + years >= 3": Filters(lat=52.52, lon=13.40, radius_km=300, years_gte=3),
        f"skills any of {skills}": Filters(skills_any=skills),
    }


def run_one(size: int, layout: str, work: Path) -> dict:
    """One size and layout in this (child) process; returns the figures."""
    from app.bench.synthetic import make_jobs
    from app.domain import Kind, Record
    from app.matching.records import extract
    from app.services import Services
    from app.settings import Settings
    from app.store.base import StoredPoint

    base = np.load(work / "base.npz")
    base_vecs, base_titles = base["vecs"], base["titles"]
    docs = json.loads((work / "base.json").read_text())
    data = Path(tempfile.mkdtemp(prefix=f"scale-{layout}-{size}-", dir=work))
    settings = Settings(data_dir=data, reference_occupations="none", optimize_after_writes=10**9, **LAYOUTS[layout])
    services = Services.build(settings)
    records, store = services.records, services.store
    model = services.encoder.model_id
    # each base CV's point as the service writes it; stored copies share it with another id and vector
    templates = []
    for k, d in enumerate(docs):
        rec = Record("", Kind.CANDIDATE, d, time.time(), time.time(), model, extracted=extract(Kind.CANDIDATE, d))
        templates.append(records._point_of(rec, base_vecs[k], base_titles[k]))
    rng = np.random.default_rng(size)
    started = time.perf_counter()
    for start in range(0, size, BATCH):
        n = min(BATCH, size - start)
        pick = rng.integers(0, len(docs), n)
        vecs = base_vecs[pick] + rng.normal(scale=0.025, size=(n, base_vecs.shape[1])).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        store.upsert(
            Kind.CANDIDATE.value,
            [
                StoredPoint(str(uuid.uuid4()), templates[k].payload, v.tolist(), templates[k].sparse)
                for k, v in zip(pick, vecs)
            ],
        )
    write_s = time.perf_counter() - started
    started = time.perf_counter()
    store.optimize(Kind.CANDIDATE.value)
    build_s = time.perf_counter() - started
    job_ids = [rec.id for rec, _ in records.put_many(Kind.JOB, make_jobs(100, seed=3))]
    job_vecs = [records.get_with_vector(Kind.JOB, j)[1] for j in job_ids]
    out = {
        "size": size,
        "layout": layout,
        "write_points_per_s": round(size / write_s, 1),
        "build_s": round(build_s, 1),
        "disk_mb": round(disk_mb(data), 1),
        "searches": {},
    }
    built = store.layout
    for search, params in SEARCHES.items():
        store.layout = dataclasses.replace(built, **params)  # type: ignore[attr-defined]
        out["searches"][search] = measure(services, store, docs, job_ids, job_vecs)
    services.close()
    out["peak_rss_mb"] = round(peak_rss_mb(os.getpid()), 0)
    return out


def measure(services, store, docs, job_ids, job_vecs) -> dict:
    """Match latency (the whole matcher) and dense recall@10 against exact search, per filter."""
    from app.domain import Kind
    from app.matching.filters import build_filter

    found_by: dict[str, dict] = {}
    matcher = services.matcher
    for name, flt in filters(docs).items():
        order = [job_ids[i % len(job_ids)] for i in range(QUERIES_PER_FILTER)]
        for jid in order[:20]:  # warm-up
            matcher.for_record(Kind.JOB, jid, flt, 10, 0)
        lat, found = [], 0
        for jid in order:
            t = time.perf_counter()
            page = matcher.for_record(Kind.JOB, jid, flt, 10, 0)
            lat.append((time.perf_counter() - t) * 1000)
            found += len(page.matches)
        recall = []
        for q in job_vecs:
            got = {h.id for h in store.search(Kind.CANDIDATE.value, q, build_filter(flt), 10)}
            truth = {h.id for h in store.search(Kind.CANDIDATE.value, q, build_filter(flt), 10, exact=True)}
            if truth:
                recall.append(len(got & truth) / len(truth))
        found_by[name] = {
            "p50_ms": round(float(np.percentile(lat, 50)), 2),
            "p95_ms": round(float(np.percentile(lat, 95)), 2),
            "p99_ms": round(float(np.percentile(lat, 99)), 2),
            "results_per_query": round(found / len(order), 1),
            "recall_at_10": round(float(np.mean(recall)), 4) if recall else None,
            "line": percentiles(lat),
        }
    return found_by


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,300000,1000000")
    ap.add_argument("--layouts", default="plain,int8")
    ap.add_argument("--base", type=int, default=2000, help="real CVs encoded; stored vectors are noisy copies")
    ap.add_argument("--work", type=Path, default=None, help="folder for the stores (default: a temp folder)")
    ap.add_argument("--out", type=Path, default=None, help="append each result as a JSON line here")
    ap.add_argument("--one", nargs=2, metavar=("SIZE", "LAYOUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.one:
        print("RESULT " + json.dumps(run_one(int(args.one[0]), args.one[1], work)), flush=True)
        return
    print(f"CPU: {cpu_name()}, {os.cpu_count()} cores; work folder {work}")
    if not (work / "base.npz").exists():
        prepare(work, args.base)
    for size in [int(s) for s in args.sizes.split(",")]:
        for layout in args.layouts.split(","):
            done = subprocess.run(
                [sys.executable, __file__, "--work", str(work), "--one", str(size), layout],
                capture_output=True,
                text=True,
            )
            lines = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
            if done.returncode != 0 or not lines:
                print(f"== {size:,} {layout}: failed\n{done.stderr[-3000:]}")
                continue
            r = json.loads(lines[-1][len("RESULT ") :])
            print(
                f"\n== {size:,} candidates, layout {layout}: write {r['write_points_per_s']:,.0f} points/s, "
                f"HNSW build {r['build_s']} s, disk {r['disk_mb']:,.0f} MB, peak RSS {r['peak_rss_mb']:,.0f} MB"
            )
            for search, by_filter in r["searches"].items():
                print(f"  -- search: {search}")
                for name, f in by_filter.items():
                    print(
                        f"  {name:40s} {f['line']}  recall@10 {f['recall_at_10']}  ({f['results_per_query']} results)"
                    )
            if args.out:
                with args.out.open("a") as fh:
                    fh.write(json.dumps(r) + "\n")
            for d in work.glob(f"scale-{layout}-{size}-*"):
                shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
