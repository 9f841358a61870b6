"""Bulk ingest benchmark: N synthetic CVs (~300 words) imported into the running service, against the
raw encode rate of the same texts measured in the same run.

    .venv/bin/python scripts/bench_ingest.py --n 100000            # POST /v1/imports of one NDJSON file
    .venv/bin/python scripts/bench_ingest.py --n 2000 --mode bulk  # POST /v1/candidates/bulk, 100 per call

Order (never two phases at once, 2 cores): (1) raw `encode_documents` rates in this process on the
first --raw-sample CVs: torch, ONNX fp32 and the ONNX file the service serves; (2) the service is
started (default settings: embedded store, default backend) and the CVs are imported; CVs/s is from
the upload to the import's `done`; (3) the time the HNSW build takes after the import; (4) the raw
rate of the served backend once more, since this machine's speed drifts by ~10% over minutes: the
ratio end-to-end / raw uses the mean of the two raw measurements. Prints the server's peak RSS (VmHWM).
"""

import argparse
import gc
import json
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from tqdm import tqdm

from app.bench.serving import peak_rss_mb, running_server
from app.bench.synthetic import make_cvs
from app.cli.import_file import get_json
from app.encoder.factory import build_encoder
from app.encoder.onnx_runtime import MODEL_FILE
from app.encoder.texts import candidate_text
from app.settings import Settings


def raw_rates(cvs: list[dict], served_only: bool = False) -> dict[str, float]:
    docs = [candidate_text(c) for c in cvs]
    encoders = {"torch": lambda: build_encoder(Settings(encoder_backend="torch"))}
    served = build_encoder(Settings())
    if served_only:
        encoders = {f"{served.backend} {getattr(served, 'model_file', '')} (served, after)": lambda: served}
    elif served.backend == "onnx":
        encoders[f"onnx {MODEL_FILE}"] = lambda: type(served)(served.path, served.batch_size, model_file=MODEL_FILE)
        if served.model_file != MODEL_FILE:
            encoders[f"onnx {served.model_file} (served)"] = lambda: served
    rates = {}
    for name, make in encoders.items():
        enc = make()
        enc.encode_documents(docs[:32])  # warm-up
        started = time.perf_counter()
        enc.encode_documents(docs)
        rates[name] = len(docs) / (time.perf_counter() - started)
        print(f"raw encode {name:34s}: {rates[name]:7.1f} CVs/s  ({len(docs)} CVs, in-process)")
        del enc
        gc.collect()
    return rates


def import_rate(path: Path, n: int, data_dir: Path) -> dict:
    with running_server(data_dir) as (url, proc), httpx.Client(base_url=url, timeout=600) as http:
        ready = http.get("/ready").json()
        print(f"service: {ready['model']['id']} backend {ready['model']['backend']} {ready['model']['file'] or ''}")
        started = time.perf_counter()
        with path.open("rb") as fh:
            r = http.post("/v1/imports", files={"file": (path.name, fh, "application/x-ndjson")})
        r.raise_for_status()
        import_id = r.json()["id"]
        uploaded = time.perf_counter() - started
        with tqdm(total=n, unit="CV", smoothing=0.1) as bar:
            while (state := get_json(http, f"/v1/imports/{import_id}"))["status"] in ("queued", "running"):
                bar.update(state["processed"] - bar.n)
                time.sleep(1.0)
            bar.update(state["processed"] - bar.n)
        elapsed = time.perf_counter() - started
        assert state["status"] == "done" and state["stored"] == n, state
        while (info := get_json(http, "/ready")["store"]["collections"].get("candidates", {})).get("optimizing"):
            time.sleep(1.0)  # the one index build an import ends with (embedded store)
        index_s = info.get("last_optimize_s") or 0.0
        return {
            "rate": n / elapsed,
            "upload_s": uploaded,
            "index_s": index_s,
            "rss": peak_rss_mb(proc.pid),
            "info": info,
        }


def bulk_rate(cvs: list[dict], data_dir: Path, batch: int = 100, clients: int = 2) -> dict:
    with running_server(data_dir) as (url, proc), httpx.Client(base_url=url, timeout=600) as http:
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            for r in pool.map(
                lambda b: http.post("/v1/candidates/bulk", json=b),
                [cvs[i : i + batch] for i in range(0, len(cvs), batch)],
            ):
                r.raise_for_status()
        return {"rate": len(cvs) / (time.perf_counter() - started), "rss": peak_rss_mb(proc.pid)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="CVs to import")
    ap.add_argument("--raw-sample", type=int, default=2000, help="CVs (the first ones of the same set) for raw rates")
    ap.add_argument("--mode", choices=["import", "bulk"], default="import")
    ap.add_argument("--words", type=int, default=300)
    args = ap.parse_args()

    cvs = make_cvs(args.n, seed=1, words=args.words)
    sample = cvs[: args.raw_sample]
    raw = raw_rates(sample)
    served_before = list(raw.values())[-1]
    with tempfile.TemporaryDirectory() as tmp:
        if args.mode == "bulk":
            out = bulk_rate(cvs, Path(tmp) / "data")
        else:
            path = Path(tmp) / "cvs.ndjson"
            path.write_text("".join(json.dumps(c) + "\n" for c in cvs))
            del cvs
            gc.collect()
            out = import_rate(path, args.n, Path(tmp) / "data")
    served_raw = (served_before + list(raw_rates(sample, served_only=True).values())[0]) / 2
    print(f"end to end ({args.mode}, {args.n} CVs): {out['rate']:7.1f} CVs/s")
    print(
        f"ratio end-to-end / raw served backend (mean of before and after, {served_raw:.1f}): "
        f"{out['rate'] / served_raw:.3f}; "
        f"/ raw torch: {out['rate'] / raw['torch']:.3f}"
    )
    if "index_s" in out:
        print(f"upload {out['upload_s']:.1f} s; HNSW build after the import: {out['index_s']:.1f} s ({out['info']})")
    print(f"server peak RSS: {out['rss']:.0f} MB")


if __name__ == "__main__":
    main()
