"""The import runner against a crash at the worst moment: rows stored, progress not yet saved."""

import io
import json
import time

import pytest

from app.ingest.imports import DONE, RUNNING, ImportBook, ImportRunner, RowInvalid


class Crash(BaseException):
    """Stands in for the process dying: nothing after it runs."""


class FakeRecords:
    """Keyed like the real Records: by external_id when there is one, else by the given id."""

    def __init__(self):
        self.rows: dict[str, dict] = {}
        self.writes = 0

    def put_many(self, kind, docs, ids, tenant="default"):
        for doc, fixed in zip(docs, ids):
            key = doc.get("external_id") or fixed
            assert key, "a row without external_id needs a fixed id"
            self.rows[key] = doc
            self.writes += 1
        return []


def validate(item):
    if not isinstance(item, dict) or "name" not in item:
        raise RowInvalid("name: Field required")
    return item


def file_of(n: int, bad: set[int]) -> bytes:
    lines = []
    for i in range(1, n + 1):
        doc = {"name": f"p{i}"} if i % 2 else {"name": f"p{i}", "external_id": f"e{i}"}
        lines.append("{}" if i in bad else json.dumps(doc))
    return ("\n".join(lines) + "\n").encode()


def wait_for(runner, book, import_id, status, timeout=10.0):
    deadline = time.monotonic() + timeout
    while (job := book.get(import_id)).status != status and time.monotonic() < deadline:
        time.sleep(0.01)
    return job


def test_resume_after_a_crash_between_storing_and_counting(tmp_path):
    book, records = ImportBook(tmp_path), FakeRecords()
    saves = {"n": 0}

    class CrashingBook(ImportBook):
        def save(self, job):
            if job.status == RUNNING and job.processed == 8:  # batch 3 stored and its errors logged
                saves["n"] += 1
                raise Crash
            super().save(job)

    crashing = CrashingBook(tmp_path)
    first = ImportRunner(crashing, records.put_many, validate, lambda: _null(), batch_size=4)
    first.start()
    job = first.submit(io.BytesIO(file_of(20, bad={3, 6, 14})), "x.ndjson", "ndjson")
    deadline = time.monotonic() + 10
    while not saves["n"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert saves["n"] == 1
    on_disk = book.get(job.id)
    assert on_disk.status == RUNNING and on_disk.processed == 4  # batch 2 (rows 5-8) was stored, not counted
    assert [e["row"] for e in book.errors(on_disk)] == [3, 6]  # ... but its error was logged

    second = ImportRunner(book, records.put_many, validate, lambda: _null(), batch_size=4)
    second.start()
    done = wait_for(second, book, job.id, DONE)
    second.stop()
    assert (done.processed, done.stored, done.failed, done.restarts) == (20, 17, 3, 1)
    assert [e["row"] for e in book.errors(done)] == [3, 6, 14]  # row 6 once, not twice
    assert sorted(d["name"] for d in records.rows.values()) == sorted(
        f"p{i}" for i in range(1, 21) if i not in {3, 6, 14}
    )
    assert records.writes > 17  # rows 5-8 really were written twice, and overwrote themselves


def _null():
    from contextlib import nullcontext

    return nullcontext()


@pytest.mark.parametrize("fmt,body", [("json", b'[{"name": "a"}, 5]'), ("csv", b"name\na\n")])
def test_rows_that_are_not_records_are_row_errors(tmp_path, fmt, body):
    book, records = ImportBook(tmp_path), FakeRecords()
    runner = ImportRunner(book, records.put_many, validate, _null)
    runner.start()
    job = runner.submit(io.BytesIO(body), f"x.{fmt}", fmt)
    done = wait_for(runner, book, job.id, DONE)
    runner.stop()
    assert done.total == (2 if fmt == "json" else 1)
    assert len(records.rows) == 1


def test_uploads_past_the_pending_limit_are_refused_and_nothing_is_kept(tmp_path):
    from app.api.errors import status_of
    from app.errors import TooManyRequests

    book = ImportBook(tmp_path)
    runner = ImportRunner(book, FakeRecords().put_many, validate, lambda: None, max_pending=2)  # not started
    for _ in range(2):
        runner.submit(io.BytesIO(file_of(3, set())), "a.ndjson", "ndjson")
    with pytest.raises(TooManyRequests) as exc:
        runner.submit(io.BytesIO(file_of(3, set())), "b.ndjson", "ndjson")
    assert status_of(exc.value) == 429 and exc.value.code == "too_many_imports"
    assert "JOBMATCH_MAX_PENDING_IMPORTS" in exc.value.message
    assert len(book.all()) == 2
