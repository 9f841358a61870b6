"""Start the real service (uvicorn) in a child process for benchmarks, and read its memory peak."""

import os
import platform
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]  # the repository root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the process's resident-set high-water mark."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def running_server(data_dir: Path, **env):
    port = free_port()
    environ = {
        **os.environ,
        "JOBMATCH_DATA_DIR": str(data_dir),
        "HF_HUB_OFFLINE": "1",
        **{f"JOBMATCH_{k.upper()}": str(v) for k, v in env.items()},
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "app.main:create_app_from_env",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environ,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 300
        while time.time() < deadline:
            try:
                r = httpx.get(url + "/ready", timeout=2)
                # ready, and done loading the reference occupations (a benchmark must not measure that load)
                if r.status_code == 200 and r.json().get("reference_occupations", {}).get("status") not in (
                    "queued",
                    "loading",
                    "indexing",
                ):
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                raise RuntimeError("server exited during start-up")
            time.sleep(0.5)
        else:
            raise RuntimeError("server did not become ready in 300 s")
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def cpu_name() -> str:
    """The CPU's model name, printed with every speed figure."""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def percentiles(ms: list[float]) -> str:
    import numpy as np

    a = np.asarray(ms)
    return f"p50 {np.percentile(a, 50):7.2f} ms  p95 {np.percentile(a, 95):7.2f} ms  p99 {np.percentile(a, 99):7.2f} ms"
