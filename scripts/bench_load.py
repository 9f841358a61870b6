"""Bounded load on loopback: does one client's bulk work starve everyone else's?

    .venv/bin/python scripts/bench_load.py                      # defaults: 50 clients, 60 s mixed load
    .venv/bin/python scripts/bench_load.py --clients 20 --seconds 30 --phase-seconds 20

Starts the service (embedded store, served encoder) on loopback in a child process, stores synthetic
CVs and jobs, then runs three phases one after the other, never two at once:

1. **match alone**: one client sends ad-hoc matches (`POST /v1/matches`, a CV-length job text) back to
   back; the baseline.
2. **match under bulk work**: the same, while another client sends maximal `POST /v1/embed` requests
   (64 texts of 5,000 words) in a loop and an import of synthetic CVs runs. The ratio of the p99s
   against phase 1 says how much bulk work delays interactive work.
3. **mixed load**: `--clients` clients for `--seconds`, each picking at random: read a candidate (35%),
   list candidates (15%), a stored job's matches (25%), an ad-hoc match (10%), create a candidate (15%).
   Throughput, p50/p95/p99 per route, and errors (any 5xx, any unexpected status).
"""

import argparse
import json
import random
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

from app.bench.serving import peak_rss_mb, percentiles, running_server
from app.bench.synthetic import make_cvs


def timed(client: httpx.Client, method: str, url: str, **kw) -> tuple[float, int]:
    t = time.perf_counter()
    r = client.request(method, url, **kw)
    return (time.perf_counter() - t) * 1000, r.status_code


def matches_for(url: str, text: str, seconds: float) -> list[float]:
    out = []
    with httpx.Client(base_url=url, timeout=300) as c:
        end = time.time() + seconds
        while time.time() < end:
            ms, status = timed(c, "POST", "/v1/matches", json={"text": text, "target": "candidates", "limit": 10})
            if status != 200:
                raise RuntimeError(f"ad-hoc match answered {status}")
            out.append(ms)
    return out


def bulk_in_background(
    url: str, stop: threading.Event, cvs: list[dict], embed_ms: list[float]
) -> list[threading.Thread]:
    long_text = " ".join(
        random.Random(1).choice(["python", "nurse", "welding", "ledger", "logistics", "kitchen"]) for _ in range(5000)
    )

    def embed_loop():
        with httpx.Client(base_url=url, timeout=600) as c:
            while not stop.is_set():
                ms, status = timed(c, "POST", "/v1/embed", json={"texts": [long_text] * 64})
                if status != 200:
                    raise RuntimeError(f"embed answered {status}")
                embed_ms.append(ms)

    def import_once():
        body = "\n".join(json.dumps(cv) for cv in cvs).encode()
        with httpx.Client(base_url=url, timeout=600) as c:
            r = c.post("/v1/imports", files={"file": ("cvs.ndjson", body, "application/x-ndjson")})
            if r.status_code != 202:
                raise RuntimeError(f"import answered {r.status_code}: {r.text[:200]}")

    threads = [threading.Thread(target=embed_loop, daemon=True), threading.Thread(target=import_once, daemon=True)]
    for t in threads:
        t.start()
    return threads


def mixed(
    url: str, clients: int, seconds: float, cand_ids: list[str], job_ids: list[str], job_text: str, fresh: list[dict]
) -> tuple[dict[str, list[float]], dict[str, int], int]:
    lat: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    end = time.time() + seconds
    fresh_iter = iter(fresh)

    def one(seed: int):
        rng = random.Random(seed)
        with httpx.Client(base_url=url, timeout=300) as c:
            while time.time() < end:
                x = rng.random()
                if x < 0.35:
                    route, req = "GET /v1/candidates/{id}", ("GET", f"/v1/candidates/{rng.choice(cand_ids)}", {})
                elif x < 0.50:
                    route, req = "GET /v1/candidates", ("GET", "/v1/candidates?limit=20", {})
                elif x < 0.75:
                    route, req = (
                        "POST /v1/jobs/{id}/matches",
                        ("POST", f"/v1/jobs/{rng.choice(job_ids)}/matches", {"json": {}}),
                    )
                elif x < 0.85:
                    route, req = (
                        "POST /v1/matches",
                        ("POST", "/v1/matches", {"json": {"text": job_text, "target": "candidates"}}),
                    )
                else:
                    with lock:
                        doc = next(fresh_iter, None)
                    if doc is None:
                        continue
                    route, req = "POST /v1/candidates", ("POST", "/v1/candidates", {"json": doc})
                try:
                    ms, status = timed(c, req[0], req[1], **req[2])
                except httpx.HTTPError:
                    with lock:
                        errors[f"{route}: connection error"] += 1
                    continue
                with lock:
                    lat[route].append(ms)
                    if status >= 500 or status not in (200, 201):
                        errors[f"{route}: {status}"] += 1

    threads = [threading.Thread(target=one, args=(i,)) for i in range(clients)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, errors, int(time.time() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--phase-seconds", type=float, default=30, help="length of phases 1 and 2")
    ap.add_argument("--stored", type=int, default=500, help="candidates stored before the phases")
    args = ap.parse_args()

    cvs = make_cvs(args.stored + 2000, seed=7)
    stored, to_import, fresh = cvs[: args.stored], cvs[args.stored : args.stored + 1000], cvs[args.stored + 1000 :]
    jobs = [
        {"title": cv.get("desired_title") or "Engineer", "description": cv["cv_text"]} for cv in make_cvs(20, seed=8)
    ]
    job_text = jobs[0]["description"]
    with tempfile.TemporaryDirectory() as tmp, running_server(Path(tmp)) as (url, proc):
        with httpx.Client(base_url=url, timeout=600) as c:
            cand_ids = [i["id"] for i in c.post("/v1/candidates/bulk", json=stored).json()["results"] if i.get("id")]
            job_ids = [i["id"] for i in c.post("/v1/jobs/bulk", json=jobs).json()["results"] if i.get("id")]
            c.post("/v1/matches", json={"text": job_text, "target": "candidates"})  # warm up
        print(f"{len(cand_ids)} candidates and {len(job_ids)} jobs stored; CPU: {cpu_name()}")

        alone = matches_for(url, job_text, args.phase_seconds)
        print(f"1. ad-hoc match alone            {percentiles(alone)}  ({len(alone)} matches)")

        stop, embed_ms = threading.Event(), []
        threads = bulk_in_background(url, stop, to_import, embed_ms)
        time.sleep(2)  # let the first embed batch and the import start
        busy = matches_for(url, job_text, args.phase_seconds)
        stop.set()
        print(
            f"2. ad-hoc match under bulk work  {percentiles(busy)}  ({len(busy)} matches; "
            f"{len(embed_ms)} maximal embed requests done, each {sum(embed_ms) / max(1, len(embed_ms)) / 1000:.1f} s)"
        )
        import numpy as np

        ratio = np.percentile(busy, 99) / np.percentile(alone, 99)
        print(
            f"   p99 under bulk work / p99 alone = {ratio:.2f}x; "
            f"p50 {np.percentile(busy, 50) / np.percentile(alone, 50):.2f}x"
        )
        threads[0].join(timeout=900)  # the embed loop ends after its current request
        wait_for_imports(url)

        lat, errors, took = mixed(url, args.clients, args.seconds, cand_ids, job_ids, job_text, fresh)
        total = sum(len(v) for v in lat.values())
        print(
            f"3. mixed load: {args.clients} clients, {took} s: {total} requests, {total / took:.1f} req/s, "
            f"errors: {dict(errors) or 'none'}"
        )
        for route, ms in sorted(lat.items()):
            print(f"   {route:<28} {percentiles(ms)}  ({len(ms)})")
        print(f"server peak RSS {peak_rss_mb(proc.pid):.0f} MB")


def wait_for_imports(url: str) -> None:
    with httpx.Client(base_url=url, timeout=60) as c:
        while any(i["status"] in ("queued", "running") for i in c.get("/v1/imports").json()["items"]):
            time.sleep(1)


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


if __name__ == "__main__":
    main()
