"""Kill the server (SIGKILL) in the middle of an import; after a restart the import resumes and ends
with every valid row stored exactly once and every bad row reported exactly once."""

import subprocess
import sys
import time

import httpx
import pytest

from app.bench.serving import ROOT, running_server
from tests.fixtures.imports import people_ndjson

pytestmark = pytest.mark.slow  # SIGKILLs real server processes

N, BAD_ROWS = 400, {7, 150, 333}  # 1-based lines that are broken


def rows() -> bytes:
    return people_ndjson(N, BAD_ROWS)


def status(url: str, import_id: str) -> dict:
    return httpx.get(f"{url}/v1/imports/{import_id}", timeout=10).json()


def test_an_import_survives_a_killed_server(tmp_path):
    data = tmp_path / "data"
    with running_server(data, import_batch_size=2) as (url, proc):
        import_id = httpx.post(f"{url}/v1/imports", files={"file": ("people.ndjson", rows())}, timeout=30).json()["id"]
        deadline = time.monotonic() + 120
        while (state := status(url, import_id))["processed"] < 40 and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.kill()  # SIGKILL: no shutdown hooks run
        proc.wait()
    assert state["status"] == "running" and state["processed"] < N, state

    with running_server(data) as (url, _):
        deadline = time.monotonic() + 120
        while (state := status(url, import_id))["status"] not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert state["status"] == "done" and state["restarts"] == 1, state
        assert (state["total"], state["processed"], state["stored"], state["failed"]) == (N, N, N - 3, 3)

        errors = httpx.get(f"{url}/v1/imports/{import_id}/errors", timeout=10).json()
        assert sorted(e["row"] for e in errors["items"]) == sorted(BAD_ROWS) and errors["total"] == 3

        stored = []
        for offset in range(0, N, 100):
            page = httpx.get(f"{url}/v1/candidates", params={"limit": 100, "offset": offset}, timeout=10).json()
            stored += page["items"]
        assert page["total"] == N - 3
        names = sorted(c["name"] for c in stored)
        assert names == sorted(f"person {i}" for i in range(1, N + 1) if i not in BAD_ROWS)  # each once

        # the command-line client follows the same import and lists its row errors
        cli = subprocess.run(
            [sys.executable, "-m", "app.cli.import_file", "--resume", import_id, "--url", url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert cli.returncode == 1, cli.stderr  # done, with rejected rows
        assert f"{N - 3} stored, 3 rejected" in cli.stdout and "row 150: line 150 is not valid JSON" in cli.stderr
