"""Bulk ingest benchmark: N realistic CVs (~300 words) over HTTP vs the raw encode rate of the same texts.

    .venv/bin/python scripts/bench_ingest.py --n 2000

Prints CVs/s end to end, the raw `encode_documents` rate measured in this process on the same CVs,
their ratio, and the server's peak RSS. The two phases run one after the other, never together.
"""

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from serving import peak_rss_mb, running_server  # noqa: E402
from synthetic import make_cvs  # noqa: E402

from app.encoder.texts import candidate_text  # noqa: E402
from app.encoder.factory import build_encoder  # noqa: E402
from app.settings import Settings  # noqa: E402


def raw_rate(cvs: list[dict]) -> float:
    encoder = build_encoder(Settings())
    encoder.encode_documents([candidate_text(c) for c in cvs[:64]])  # warm-up
    started = time.perf_counter()
    encoder.encode_documents([candidate_text(c) for c in cvs])
    return len(cvs) / (time.perf_counter() - started)


def http_rate(cvs: list[dict], batch: int, clients: int) -> tuple[float, float]:
    batches = [cvs[i:i + batch] for i in range(0, len(cvs), batch)]
    with tempfile.TemporaryDirectory() as tmp, running_server(Path(tmp)) as (url, proc):
        with httpx.Client(base_url=url, timeout=600) as http:
            http.post("/v1/candidates/bulk", json=make_cvs(8, seed=99))  # warm-up

            def send(b):
                r = http.post("/v1/candidates/bulk", json=b)
                r.raise_for_status()
                assert r.json()["accepted"] == len(b), r.text
            started = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                list(pool.map(send, batches))
            elapsed = time.perf_counter() - started
            assert http.get("/v1/candidates", params={"limit": 1}).json()["total"] == len(cvs) + 8
        return len(cvs) / elapsed, peak_rss_mb(proc.pid)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000, help="CVs to upload")
    ap.add_argument("--batch", type=int, default=100, help="CVs per bulk request")
    ap.add_argument("--clients", type=int, default=2, help="concurrent uploading clients")
    ap.add_argument("--words", type=int, default=300)
    args = ap.parse_args()

    cvs = make_cvs(args.n, seed=1, words=args.words)
    raw = raw_rate(cvs)
    print(f"raw encode (torch, same {args.n} CVs, in-process): {raw:8.1f} CVs/s")
    e2e, rss = http_rate(cvs, args.batch, args.clients)
    print(f"end to end over HTTP ({args.batch}/request, {args.clients} clients): {e2e:8.1f} CVs/s")
    print(f"ratio end-to-end / raw encode: {e2e / raw:.3f}")
    print(f"server peak RSS: {rss:.0f} MB")


if __name__ == "__main__":
    main()
