"""Match latency benchmark: stored job -> candidates at 10k and 100k candidates, with and without filters.

    .venv/bin/python scripts/bench_query.py --sizes 10000,100000

Candidate vectors are built from real encodings of synthetic CVs (each stored vector = one of
2,000 real CV vectors plus noise, re-normalised), with realistic payloads, written straight into the
embedded store (encoding 100k CVs would take over an hour and is measured by bench_ingest.py).
Jobs are real: encoded by the service. The service then runs in a child process and is queried
over HTTP: hybrid retrieval (dense + BM25 fused in Qdrant), every criterion for the 50 best, the
breakdown in the response. Baseline in the same run: exact brute-force search of the same matrix with numpy.
With --rules 0,10,1000 the same queries are repeated after adding that many exclusion rules (anchors:
random ESCO labels, so some rules fire): rules cost one extra vector query, whatever their number.
"""

import argparse
import random
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import numpy as np

from app.bench.serving import percentiles, running_server
from app.bench.synthetic import make_cvs, make_jobs, occupations
from app.domain import Kind, Record
from app.encoder.factory import build_encoder
from app.encoder.texts import candidate_text
from app.matching.records import Records, extract
from app.settings import Settings
from app.store.base import StoredPoint
from app.store.edge import EdgeStore

FILTERS = {
    "no filter": None,
    "country + language": {"location": {"country": "DE"}, "languages": {"en": "B1"}},
    "geo 300 km + years": {"location": {"lat": 52.52, "lon": 13.4, "radius_km": 300}, "years_experience": {"gte": 3}},
}


def build(data_dir: Path, size: int, encoder, base_docs: list[dict], base_vecs: np.ndarray, jobs: list[dict]):
    rng = np.random.default_rng(size)
    store = EdgeStore(data_dir, optimize_after_writes=10**9)  # index once, below, and time it
    records = Records(encoder, store)
    records.open()
    matrix = np.empty((size, base_vecs.shape[1]), dtype=np.float32)
    # what ingest reads out of each base CV (extracted fields, BM25 vector), once per base document
    extracted = [extract(Kind.CANDIDATE, d) for d in base_docs]
    sparse = [records.sparse_of(Kind.CANDIDATE, d) for d in base_docs]
    for start in range(0, size, 2000):
        n = min(2000, size - start)
        pick = rng.integers(0, len(base_docs), n)
        vecs = base_vecs[pick] + rng.normal(scale=0.025, size=(n, base_vecs.shape[1])).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        matrix[start : start + n] = vecs
        points = []
        for k, v in zip(pick, vecs):
            rec = Record(
                str(uuid.uuid4()),
                Kind.CANDIDATE,
                base_docs[k],
                time.time(),
                time.time(),
                records.model_id,
                extracted=extracted[k],
            )
            points.append(StoredPoint(rec.id, records._payload(rec), v.tolist(), sparse[k]))
        store.upsert(Kind.CANDIDATE.value, points)
    job_ids = [rec.id for rec, _ in records.put_many(Kind.JOB, jobs)]
    started = time.perf_counter()
    store.optimize(Kind.CANDIDATE.value)
    build_s = time.perf_counter() - started
    job_vecs = np.array([records.get_with_vector(Kind.JOB, j)[1] for j in job_ids], dtype=np.float32)
    store.close()
    return job_ids, job_vecs, matrix, build_s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--rules", default="0", help="comma-separated rule counts to measure, e.g. 0,10,1000")
    args = ap.parse_args()
    rule_counts = [int(r) for r in args.rules.split(",")]
    labels = [o.label for o in occupations()]

    encoder = build_encoder(Settings())
    base_docs = make_cvs(2000, seed=7, words=120)
    base_vecs = encoder.encode_documents([candidate_text(d) for d in base_docs])
    jobs = make_jobs(100, seed=3)
    for size in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            job_ids, job_vecs, matrix, build_s = build(Path(tmp), size, encoder, base_docs, base_vecs, jobs)
            print(f"\n== {size:,} candidates (HNSW build {build_s:.1f} s)")
            brute = []
            for q in job_vecs[np.arange(args.queries) % len(job_vecs)]:
                t = time.perf_counter()
                np.argpartition(-(matrix @ q), 10)[:10]
                brute.append((time.perf_counter() - t) * 1000)
            print(f"  {'numpy brute force (baseline)':32s} {percentiles(brute)}")
            with running_server(Path(tmp)) as (url, _), httpx.Client(base_url=url, timeout=60) as http:
                order = [random.Random(i).choice(job_ids) for i in range(args.queries)]
                rng, have = random.Random(size), 0
                for n_rules in rule_counts:
                    for _ in range(n_rules - have):
                        http.post(
                            "/v1/rules",
                            json={
                                "if_near": {"text": rng.choice(labels), "threshold": 0.6},
                                "exclude_near": {"text": rng.choice(labels), "threshold": 0.6},
                            },
                        )
                    have = max(have, n_rules)
                    print(f"  -- {n_rules} exclusion rules")
                    for name, flt in FILTERS.items():
                        body = {"limit": 10, **({"filters": flt} if flt else {})}
                        for jid in order[:20]:  # warm-up
                            http.post(f"/v1/jobs/{jid}/matches", json=body)
                        lat, found, fired = [], 0, 0
                        for jid in order:
                            t = time.perf_counter()
                            r = http.post(f"/v1/jobs/{jid}/matches", json=body)
                            lat.append((time.perf_counter() - t) * 1000)
                            found += len(r.json()["matches"])
                            fired += len(r.json()["rules_applied"])
                        ratio = np.median(lat) / np.median(brute)
                        print(
                            f"  HTTP {name:27s} {percentiles(lat)}  ({found / len(order):.1f} results/query, "
                            f"{fired / len(order):.1f} rules fired/query, p50 = {ratio:.2f}x brute force)"
                        )


if __name__ == "__main__":
    main()
