"""Candidates at scale in the embedded engine: memory, disk, index build, match latency with and without
filters, recall of the index against exact search, and write rate, per store layout and search setting.

    .venv/bin/python scripts/bench_scale.py --sizes 100000,300000,1000000 --layouts plain,int8

How the data is made: --base (10,000) synthetic CVs (`app/bench/synthetic.py`, built from the shipped
ESCO occupations) are encoded by the served model; each stored candidate is made from one of them (see
`make_vectors`: --data mix or noise), re-normalised, with that CV's payload as the service writes it
(document, fields read from the text, title vector, filter fields, BM25 sparse vector;
`Records._point_of`). Encoding a million CVs would take hours here; `scripts/bench_ingest.py` measures
encoding. Everything from the store upward is the service's code path.

Per size and layout, two child processes: `build` writes the candidates in one bulk load, as an import
does (write rate, points/s into the store), and the store builds the HNSW index in a child process of
its own, as the service does (capped segments: one build per segment as it fills, while the writes go on;
build time after the last write), storing 100 real jobs; `serve` opens the kept
store as a restarted service does (`Services.build` and `start`, page-cache warm-up unless --no-warm-up)
and measures, per search setting (SEARCHES) and filter, the whole matcher (`Matcher.for_record`: hybrid
retrieval, criteria of the 50 best, confidence; the query encodes nothing) p50/p95/p99, the store query
alone, and recall@10 of the dense index against exact search (every point, original vectors) under the
same filter, by id and by score. Memory is sampled per phase, from a process of its own
(`app/bench/memory.py`), in each process (VmRSS, PSS, RssAnon) and summed with its children (the index
builder). Layouts:
  plain     engine defaults: float32 vectors, HNSW m 16, ef_construct 100
  int8      int8 scalar quantization kept in RAM, best 2x rescored with the originals, which stay on disk
            with the payloads (JOBMATCH_STORE_QUANTIZATION=int8, _STORE_VECTORS_ON_DISK, _STORE_PAYLOAD_ON_DISK)
  int8-m32  the same, with HNSW m 32 and ef_construct 200
  int8-scan the same, with a higher full-scan threshold (JOBMATCH_HNSW_FULL_SCAN_KB)
  int8-m32-scan  int8-m32 with the full-scan threshold at ~100,000 vectors
  int8-m32-seg   int8-m32 in segments of at most 262,144 points (JOBMATCH_STORE_MAX_SEGMENT_KB=393216)
  int8-m32-seg30k  the same in segments of 30,000 points
  int8-m32-seg-scan  int8-m32-seg, filters keeping at most 100,000 points of a segment scan its int8 copies
            (JOBMATCH_HNSW_SCAN_MAX_POINTS)
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

from app.bench.memory import MemorySampler, memory_mb
from app.bench.serving import cpu_name, peak_rss_mb, percentiles

LAYOUTS = {
    "plain": {},
    "int8": {"store_quantization": "int8", "store_vectors_on_disk": True, "store_payload_on_disk": True},
    # the same with a denser graph (more links per point, a deeper build)
    "int8-m32": {
        "store_quantization": "int8",
        "store_vectors_on_disk": True,
        "store_payload_on_disk": True,
        "hnsw_m": 32,
        "hnsw_ef_construct": 200,
    },
    # the same, and filters keeping fewer than ~65,000 vectors (100 MB of float32) answered by exact scan
    "int8-scan": {
        "store_quantization": "int8",
        "store_vectors_on_disk": True,
        "store_payload_on_disk": True,
        "hnsw_full_scan_kb": 100_000,
    },
    # int8-m32 where filters keeping up to ~100,000 vectors (150 MB of float32) scan the int8 copies and
    # rescore: the engine plans it, and builds extra per-value graph links only for larger values
    "int8-m32-scan": {
        "store_quantization": "int8",
        "store_vectors_on_disk": True,
        "store_payload_on_disk": True,
        "hnsw_m": 32,
        "hnsw_ef_construct": 200,
        "hnsw_full_scan_kb": 150_000,
    },
}
# int8-m32 in segments of at most 384 MB of vectors (262,144 points; JOBMATCH_STORE_MAX_SEGMENT_KB), each
# indexed as it fills: the import's unindexed segment and each index build stay that size; and the same
# with segments of 46,080 KB (30,000 points): the segmented path at 100,000
LAYOUTS["int8-m32-seg"] = {**LAYOUTS["int8-m32"], "store_max_segment_kb": 393_216}
LAYOUTS["int8-m32-seg30k"] = {**LAYOUTS["int8-m32"], "store_max_segment_kb": 46_080}
# int8-m32-seg where a segment scans the int8 copies of the points a filter keeps when they are at most
# 100,000 of its (up to) 262,144, the graph's links as built (JOBMATCH_HNSW_SCAN_MAX_POINTS; a start-time
# setting: serve a kept int8-m32-seg store under this layout with --reuse)
LAYOUTS["int8-m32-seg-scan"] = {**LAYOUTS["int8-m32-seg"], "hnsw_scan_max_points": 100_000}
# query-time settings, measured one after the other on the same built store
SEARCHES = {
    "engine defaults": {},
    # a deeper HNSW search, filtered or not (JOBMATCH_HNSW_EF)
    "ef 128": {"hnsw_ef": 128},
    "ef 256": {"hnsw_ef": 256},
    "ef 512": {"hnsw_ef": 512},
    # ACORN (neighbours' neighbours) for filters the payload indexes estimate at <= 20% of the points
    "ef 256 + ACORN <= 20%": {"hnsw_ef": 256, "acorn": True, "acorn_ef": 256, "acorn_max_selectivity": 0.2},
    # filters estimated to keep at most 100,000 points: every passing point scored (JOBMATCH_HNSW_EXACT_MAX_POINTS)
    "ef 512 + exact <= 100k": {"hnsw_ef": 512, "exact_max_points": 100_000},
    # the same, searching deeper and rescoring 4 x limit int8 candidates with the originals (STORE_OVERSAMPLING)
    "ef 1024 + exact <= 100k + rescore 4x": {"hnsw_ef": 1024, "oversampling": 4.0, "exact_max_points": 100_000},
    # the engine's own plan: filters under the index's full-scan threshold (JOBMATCH_HNSW_FULL_SCAN_KB, a
    # creation-time setting) scan the int8 copies and rescore; the rest search the graph
    "ef 1024 + rescore 4x": {"hnsw_ef": 1024, "oversampling": 4.0},
    # the pool's BM25 search without the query's terms in more than 5% of the records (a matcher setting,
    # JOBMATCH_MATCH_POOL_MAX_SHARE)
    "ef 256 + pool terms <= 5%": {"hnsw_ef": 256, "match_pool_max_share": 0.05},
    # the same with a shallower graph search (what a radius filter's graph walk costs at each depth)
    "ef 128 + pool terms <= 5%": {"hnsw_ef": 128, "match_pool_max_share": 0.05},
}
QUERIES_PER_FILTER = 200
# the same filter as two conditions (f_country, f_lang), as the service searches while records stored
# before the combined field lack it (`Records.combined_filters`): what the combined keyword saves
APART = "country + language, two conditions"
Exact = tuple[list, float]  # per filter: each job's exact top 10, and the exact search's p50 (ms)
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


def make_vectors(base: np.ndarray, pick: np.ndarray, rng: np.random.Generator, data: str) -> np.ndarray:
    """Stored vectors for the base CVs `pick` (each keeps that CV's payload).

    mix   the CV moved a random part u ~ U(0, 0.3) of the way towards another real CV, plus noise
          sigma 0.002 (against ties): every vector distinct, varying along directions real CVs span
    noise the CV plus isotropic Gaussian noise sigma 0.025 per dimension: ~N/base near-copies of each CV
          whose order for a query is set by noise in all 384 directions (the hardest case for a graph)
    """
    n, dim = len(pick), base.shape[1]
    if data == "noise":
        vecs = base[pick] + rng.normal(scale=0.025, size=(n, dim)).astype(np.float32)
    else:
        other = base[rng.integers(0, len(base), n)]
        u = rng.uniform(0, 0.3, size=(n, 1)).astype(np.float32)
        vecs = (1 - u) * base[pick] + u * other + rng.normal(scale=0.002, size=(n, dim)).astype(np.float32)
    return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


def filters(docs: list[dict]):
    from app.domain import Filters

    skills = [s for s, _ in Counter(s for d in docs for s in d["skills"]).most_common(40)][20:22]
    return {
        "no filter": None,
        "country + language": Filters(country="DE", languages={"en": "B1"}),
        APART: Filters(country="DE", languages={"en": "B1"}),
        "geo 300 km + years >= 3": Filters(lat=52.52, lon=13.40, radius_km=300, years_gte=3),
        f"skills any of {skills}": Filters(skills_any=skills),
    }


def build(size: int, layout: str, work: Path, data: str) -> dict:
    """Write `size` candidates and build the index, in this (child) process; the store is kept for `serve`."""
    from app.bench.synthetic import make_jobs
    from app.domain import Kind, Record
    from app.matching.records import extract
    from app.services import Services
    from app.settings import Settings
    from app.store.base import StoredPoint

    base = np.load(work / "base.npz")
    base_vecs, base_titles = base["vecs"], base["titles"]
    docs = json.loads((work / "base.json").read_text())
    folder = Path(tempfile.mkdtemp(prefix=f"scale-{layout}-{size}-", dir=work))
    # the service's own path: a bulk load (as an import writes), index builds in a child process
    settings = Settings(data_dir=folder, reference_occupations="none", **LAYOUTS[layout])
    with MemorySampler(os.getpid()) as memory:
        services = Services.build(settings)
        records, store = services.records, services.store
        model = services.encoder.model_id
        # each base CV's point as the service writes it; stored candidates share it with their own id and vector
        # (with the occupation set's revision, as the service writes records: else the restarted service
        # would re-tag every point, and each payload update moves a point out of the HNSW index)
        revision = records.normalizer.revision if records.normalizer else None
        templates = []
        for k, d in enumerate(docs):
            rec = Record("", Kind.CANDIDATE, d, time.time(), time.time(), model, extracted=extract(Kind.CANDIDATE, d))
            templates.append(records._point_of(rec, base_vecs[k], base_titles[k], revision))
        rng = np.random.default_rng(size)
        # what this process holds before the first write: the service opened, and the benchmark's own data (the
        # base CVs, their points): subtract it from the peaks below for what a service would hold
        before_write = memory_mb(os.getpid())
        memory.enter("write")
        started = time.perf_counter()
        with store.bulk_load(Kind.CANDIDATE.value):  # capped segments are indexed as they fill, meanwhile
            for start in range(0, size, BATCH):
                n = min(BATCH, size - start)
                pick = rng.integers(0, len(docs), n)
                vecs = make_vectors(base_vecs, pick, rng, data)
                store.upsert(
                    Kind.CANDIDATE.value,
                    [
                        StoredPoint(str(uuid.uuid4()), templates[k].payload, v.tolist(), templates[k].sparse)
                        for k, v in zip(pick, vecs)
                    ],
                )
        write_s = time.perf_counter() - started
        memory.enter("index build")
        store.wait_idle(timeout=24 * 3600)
        build_s = time.perf_counter() - started - write_s
        segments = store.info()["collections"][Kind.CANDIDATE.value]["segments"]
        job_ids = [rec.id for rec, _ in records.put_many(Kind.JOB, make_jobs(100, seed=3))]
        (folder / "bench-jobs.json").write_text(json.dumps(job_ids))
        services.close()
    return {
        "folder": str(folder),
        "write_points_per_s": round(size / write_s, 1),
        "build_s": round(build_s, 1),  # after the last write (capped segments: the builds before it are in write)
        "write_and_build_s": round(write_s + build_s, 1),
        "built_segments": segments,
        "build_memory_mb": memory.peaks,
        "before_write_mb": {k: round(v) for k, v in before_write.items()},
        "build_peak_rss_mb": round(peak_rss_mb(os.getpid())),
    }


def kept_settings(folder: Path, layout: str, warm_up: bool):
    """The service's settings for a kept store: its layout, no reference set, no index build while measuring."""
    from app.settings import Settings

    return Settings(
        data_dir=folder,
        reference_occupations="none",
        optimize_after_writes=10**9,
        store_warm_up=warm_up,
        **LAYOUTS[layout],
    )


def bench_jobs(services, folder: Path) -> tuple[list[str], list]:
    """The real jobs the build step stored (their ids in bench-jobs.json), and their vectors: the queries."""
    from app.domain import Kind

    job_ids = json.loads((folder / "bench-jobs.json").read_text())
    return job_ids, [services.records.get_with_vector(Kind.JOB, j)[1] for j in job_ids]


def serve(folder: Path, layout: str, work: Path, warm_up: bool) -> dict:
    """Open a kept store as a (re)started service does, in this (child) process, and measure it."""
    from app.domain import Kind
    from app.services import Services

    docs = json.loads((work / "base.json").read_text())
    settings = kept_settings(folder, layout, warm_up)
    out: dict = {"disk_mb": round(disk_mb(folder), 1), "warm_up": warm_up, "searches": {}}
    with MemorySampler(os.getpid(), "start and warm-up") as memory:
        started = time.perf_counter()
        services = Services.build(settings)
        # measured on a store nothing writes to: no record waits to be re-tagged or given a field (checked before
        # the service's background thread starts on them)
        stale = services.records.count_unnormalized(Kind.CANDIDATE)
        stale += services.records.count_without_combined(Kind.CANDIDATE)
        if stale:
            raise SystemExit(f"{stale} stored candidates would be rewritten while measuring: build the store again")
        services.start()
        store = services.store
        while store.info()["collections"][Kind.CANDIDATE.value]["warm_up"] == "running":
            time.sleep(0.2)
        out["start_s"] = round(time.perf_counter() - started, 1)
        out["segments"] = store.info()["collections"][Kind.CANDIDATE.value]["segments"]
        job_ids, job_vecs = bench_jobs(services, folder)
        built = store.layout
        # (computed once per filter: the same for every search setting)
        truth: dict[str, Exact] = {}
        for search, params in SEARCHES.items():
            params = dict(params)
            services.matcher.pool_terms.max_share = params.pop("match_pool_max_share", None)
            store.layout = dataclasses.replace(built, **params)  # type: ignore[attr-defined]
            out["searches"][search] = measure(services, store, docs, job_ids, job_vecs, memory, truth)
        services.close()
    out["serve_memory_mb"] = memory.peaks
    out["serve_peak_rss_mb"] = round(peak_rss_mb(os.getpid()))
    return out


def measure(services, store, docs, job_ids, job_vecs, memory: MemorySampler, truth: dict[str, Exact]) -> dict:
    """Match latency (the whole matcher) and dense recall@10 against exact search, per filter."""
    from app.domain import DEFAULT_TENANT, Kind
    from app.matching.filters import match_filter
    from app.matching.match_model import POOL
    from app.matching.records import RECORD_FIELDS

    found_by: dict[str, dict] = {}
    matcher = services.matcher

    combined = services.records.combined_filters(Kind.CANDIDATE)  # (every point of a fresh build: true)

    def as_matched(flt):  # the filter the matcher searches under (the request's, tenant, model)
        records = services.records
        return match_filter(flt, DEFAULT_TENANT, records.model_id, records.combined_filters(Kind.CANDIDATE))

    for name, flt in filters(docs).items():
        # the matcher's own choice, held for this filter
        use = combined and name != APART
        services.records.combined_filters = lambda kind, use=use: use  # type: ignore[method-assign]
        order = [job_ids[i % len(job_ids)] for i in range(QUERIES_PER_FILTER)]
        memory.enter("matching")
        for jid in order[:20]:  # warm-up
            matcher.for_record(Kind.JOB, jid, flt, 10, 0)
        lat, found = [], 0
        for jid in order:
            t = time.perf_counter()
            page = matcher.for_record(Kind.JOB, jid, flt, 10, 0)
            lat.append((time.perf_counter() - t) * 1000)
            found += len(page.matches)
        # where the time goes: the dense search of the pool alone, and the whole store query (dense + BM25
        # fused, then the pool's BM25 scores); the store query again with every condition kept (no
        # narrowing: EdgeStore._narrowed), interleaved with it, first or second by turns (this machine's
        # speed drifts within minutes: a ratio from one loop is what compares)
        dense_ms, store_ms, whole_ms = [], [], []
        narrowed = store.layout
        whole = dataclasses.replace(narrowed, narrow=False)
        for i, (jid, q) in enumerate(zip(job_ids, job_vecs)):
            rec = services.records.get(Kind.JOB, jid)
            sparse = services.records.sparse_of(Kind.JOB, rec.doc)
            prefetch = services.matcher.pool_terms.query(Kind.CANDIDATE.value, sparse)
            t = time.perf_counter()
            store.search(Kind.CANDIDATE.value, q, as_matched(flt), POOL, with_vector=True)
            dense_ms.append((time.perf_counter() - t) * 1000)
            for layout, into in [(narrowed, store_ms), (whole, whole_ms)][:: 1 if i % 2 else -1]:
                store.layout = layout
                t = time.perf_counter()
                store.hybrid(Kind.CANDIDATE.value, q, sparse, as_matched(flt), POOL, RECORD_FIELDS, prefetch)
                into.append((time.perf_counter() - t) * 1000)
            store.layout = narrowed
        memory.enter("recall (exact search reads every vector)")
        if name not in truth:  # (timed: what a search costs where nothing is indexed)
            tops, exact_ms = [], []
            for q in job_vecs:
                t = time.perf_counter()
                tops.append(store.search(Kind.CANDIDATE.value, q, as_matched(flt), 10, exact=True))
                exact_ms.append((time.perf_counter() - t) * 1000)
            truth[name] = (tops, round(float(np.percentile(exact_ms, 50)), 1))
        exact_tops, exact_p50_ms = truth[name]
        recall, by_score = [], []
        for q, exact in zip(job_vecs, exact_tops):
            got = store.search(Kind.CANDIDATE.value, q, as_matched(flt), 10, with_vector=True)
            if exact:
                recall.append(len({h.id for h in got} & {h.id for h in exact}) / len(exact))
                # ann-benchmarks' convention: a result as near as the 10th nearest (within 0.001) counts
                tenth = exact[-1].score
                by_score.append(sum(float(np.dot(q, h.vector)) >= tenth - 1e-3 for h in got) / len(exact))
        found_by[name] = {
            "p50_ms": round(float(np.percentile(lat, 50)), 2),
            "p95_ms": round(float(np.percentile(lat, 95)), 2),
            "p99_ms": round(float(np.percentile(lat, 99)), 2),
            "results_per_query": round(found / len(order), 1),
            "recall_at_10": round(float(np.mean(recall)), 4) if recall else None,
            "recall_at_10_by_score": round(float(np.mean(by_score)), 4) if by_score else None,
            "line": percentiles(lat),
            "dense_pool_p50_ms": round(float(np.percentile(dense_ms, 50)), 2),
            "store_query_p50_ms": round(float(np.percentile(store_ms, 50)), 2),
            "store_query_whole_filter_p50_ms": round(float(np.percentile(whole_ms, 50)), 2),
            "exact_search_p50_ms": exact_p50_ms,
        }
    del services.records.combined_filters  # the class's own again
    return found_by


def child(*argv: str) -> dict | None:
    """Run this script on one step in a process of its own (so its memory is its own); its RESULT line."""
    done = subprocess.run([sys.executable, __file__, *argv], capture_output=True, text=True)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        print(f"== {' '.join(argv)}: failed\n{done.stderr[-3000:]}")
        return None
    return json.loads(lines[-1][len("RESULT ") :])


def report(size: int, layout: str, data: str, r: dict) -> None:
    built = (
        f"write {r['write_points_per_s']:,.0f} points/s, HNSW build {r['build_s']} s after the last write "
        f"({r.get('write_and_build_s')} s in all, {r.get('built_segments')} segments), "
        if "build_s" in r
        else f"kept store {r['folder']}, "
    )
    print(
        f"\n== {size:,} candidates ({data}), layout {layout}: {built}disk {r['disk_mb']:,.0f} MB, "
        f"started in {r['start_s']} s (warm-up {'on' if r['warm_up'] else 'off'})"
    )
    if "before_write_mb" in r:
        print(f"  build process before the first write (the benchmark's data): {r['before_write_mb']['anon']:,} MB own")
    for step in ("build", "serve"):
        for phase, peak in r.get(f"{step}_memory_mb", {}).items():
            resident, own, pss = peak.get("rss", 0), peak.get("anon", 0), peak.get("pss", 0)
            print(
                f"  {step} process, peak while {phase}: {resident:,.0f} MB resident ({pss:,.0f} MB proportional), "
                f"{own:,.0f} MB its own; with the index builder: {peak.get('tree_pss', 0):,.0f} MB proportional, "
                f"{peak.get('tree_anon', 0):,.0f} MB own"
            )
    for search, by_filter in r["searches"].items():
        print(f"  -- search: {search}")
        for name, f in by_filter.items():
            print(
                f"  {name:40s} {f['line']}  recall@10 {f['recall_at_10']} (by score {f['recall_at_10_by_score']})"
                f"  store query p50 {f['store_query_p50_ms']} ms (every condition kept "
                f"{f['store_query_whole_filter_p50_ms']}; dense pool alone {f['dense_pool_p50_ms']}, "
                f"exact {f.get('exact_search_p50_ms')})"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,300000,1000000")
    ap.add_argument("--layouts", default="plain,int8")
    ap.add_argument("--base", type=int, default=10_000, help="real CVs encoded (the stored vectors are made from them)")
    ap.add_argument("--work", type=Path, default=None, help="folder for the stores (default: a temp folder)")
    ap.add_argument("--out", type=Path, default=None, help="append each result as a JSON line here")
    ap.add_argument("--data", choices=("mix", "noise"), default="mix", help="how stored vectors are made (above)")
    ap.add_argument("--keep", action="store_true", help="keep the stores (to measure them again with --reuse)")
    ap.add_argument("--reuse", type=Path, default=None, help="measure this kept store (one size and layout)")
    ap.add_argument("--searches", default=",".join(SEARCHES), help="search settings to measure, by name")
    ap.add_argument("--no-warm-up", action="store_true", help="measure without reading the store into the page cache")
    ap.add_argument("--build", nargs=2, metavar=("SIZE", "LAYOUT"), help=argparse.SUPPRESS)
    ap.add_argument("--serve", nargs=2, metavar=("FOLDER", "LAYOUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    wanted = args.searches.split(",")  # (so no setting's name has a comma)
    if unknown := [n for n in wanted if n not in SEARCHES]:
        ap.error(f"unknown search settings {unknown}; known: {list(SEARCHES)}")
    for name in [n for n in SEARCHES if n not in wanted]:
        del SEARCHES[name]
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.build or args.serve:
        if args.build:
            result = build(int(args.build[0]), args.build[1], work, args.data)
        else:
            result = serve(Path(args.serve[0]), args.serve[1], work, not args.no_warm_up)
        print("RESULT " + json.dumps(result), flush=True)
        return
    print(f"CPU: {cpu_name()}, {os.cpu_count()} cores; work folder {work}")
    if not (work / "base.npz").exists():
        prepare(work, args.base)
    common = ["--work", str(work), "--data", args.data, "--searches", args.searches]
    common += ["--no-warm-up"] if args.no_warm_up else []
    for size in [int(s) for s in args.sizes.split(",")]:
        for layout in args.layouts.split(","):
            built = {"folder": str(args.reuse)} if args.reuse else child(*common, "--build", str(size), layout)
            if built is None:
                continue
            served = child(*common, "--serve", built["folder"], layout)
            if served is None:
                continue
            r = {"size": size, "layout": layout, "data": args.data, **built, **served}
            report(size, layout, args.data, r)
            if args.out:
                with args.out.open("a") as fh:
                    fh.write(json.dumps(r) + "\n")
            if not (args.keep or args.reuse):
                shutil.rmtree(built["folder"], ignore_errors=True)


if __name__ == "__main__":
    main()
