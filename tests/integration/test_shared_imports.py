"""Two API processes share one real Redis (on loopback): an import uploaded to one is visible on the
other, and when the one running it is killed (SIGKILL), the other resumes it after the last counted
batch and ends it with every row accounted for exactly once and every bad row reported exactly once.

Each process here has its own embedded store (no Qdrant server runs in this environment): rows the
killed replica stored are in its store, the rest in the survivor's; together they hold every valid row,
and the only rows in both are the batch that was in flight (rewritten, which on one shared Qdrant is an
overwrite by the same id)."""

import time

import httpx
import pytest

from app.bench.serving import running_server
from tests.fixtures.imports import people_ndjson

pytestmark = pytest.mark.slow  # SIGKILLs real server processes

N, BAD_ROWS, BATCH = 2000, {7, 150, 1333}, 2  # enough rows that the second replica starts before the end


def rows() -> bytes:
    return people_ndjson(N, BAD_ROWS)


def status(url: str, import_id: str) -> dict:
    return httpx.get(f"{url}/v1/imports/{import_id}", timeout=10).json()


def names(url: str) -> list[str]:
    found = []
    for offset in range(0, N, 100):
        params = {"limit": 100, "offset": offset}
        page = httpx.get(f"{url}/v1/candidates", params=params, timeout=10).json()
        found += [c["name"] for c in page["items"]]
    return found


def test_a_replica_resumes_the_import_of_one_that_was_killed(tmp_path, redis_url):
    shared = {"redis_url": redis_url, "lease_s": 5, "import_batch_size": BATCH}
    with running_server(tmp_path / "a", **shared) as (url_a, proc_a):
        import_id = httpx.post(f"{url_a}/v1/imports", files={"file": ("people.ndjson", rows())}, timeout=30).json()[
            "id"
        ]
        with running_server(tmp_path / "b", **shared) as (url_b, _):  # starts while A runs the import
            assert status(url_b, import_id)["filename"] == "people.ndjson"  # every replica sees every import
            deadline = time.monotonic() + 120
            while (state := status(url_b, import_id))["processed"] < 200 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert state["status"] == "running" and state["processed"] < N, state
            proc_a.kill()  # SIGKILL: no shutdown hooks; its lease is left to run out
            proc_a.wait()

            deadline = time.monotonic() + 300
            while (state := status(url_b, import_id))["status"] not in ("done", "failed") and (
                time.monotonic() < deadline
            ):
                time.sleep(0.2)
            assert state["status"] == "done" and state["restarts"] == 1, state
            assert (state["total"], state["processed"], state["stored"], state["failed"]) == (N, N, N - 3, 3)
            errors = httpx.get(f"{url_b}/v1/imports/{import_id}/errors", params={"limit": 100}, timeout=10).json()
            assert sorted(e["row"] for e in errors["items"]) == sorted(BAD_ROWS) and errors["total"] == 3
            in_b = names(url_b)

    with running_server(tmp_path / "a", **shared) as (url_a, _):  # A again, to read what it had stored
        in_a = names(url_a)
        assert status(url_a, import_id)["status"] == "done"  # and it leaves the ended import alone
    expected = sorted(f"person {i}" for i in range(1, N + 1) if i not in BAD_ROWS)
    assert len(in_a) == len(set(in_a)) and len(in_b) == len(set(in_b))  # each store holds a row once
    assert sorted(set(in_a) | set(in_b)) == expected  # together: every valid row
    assert len(set(in_a) & set(in_b)) <= BATCH  # only the batch in flight was written twice
    assert in_a and in_b  # both replicas did part of the work
