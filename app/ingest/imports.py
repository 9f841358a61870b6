"""File imports that run in the background and survive a restart.

Each import has a folder `<data_dir>/imports/<id>/`: the uploaded file (kept until the import ends),
`state.json` (rewritten atomically after each batch) and `errors.ndjson` (row-level errors,
appended per batch). A batch is stored first and counted second, so after a crash `processed`
never claims rows that were not stored; the rows after it are written again, which overwrites
rather than duplicates: records are keyed by `external_id`, and a row without one gets an id
derived from the import id and its position. Errors logged past `processed` are dropped on resume.
"""

import json
import logging
import os
import queue
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from app.domain import DEFAULT_TENANT, Kind, now
from app.encoder.priority import bulk_work
from app.errors import Conflict, DomainError, NotFound, StoreUnavailable, TooManyRequests
from app.ingest.formats import Row, check_file, count_rows, read_rows
from app.matching.ids import parse_id
from app.metrics import IMPORT_ROWS

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINISHED = (DONE, FAILED, CANCELLED)
ROW_IDS = uuid.UUID("6f1c1d2e-5b7a-4c11-9d0e-2f4b8a7c3e51")  # namespace of ids for rows without external_id


class RowInvalid(ValueError):
    """A record that does not validate; the message names the fields."""


@dataclass
class ImportJob:
    id: str
    filename: str
    format: str
    status: str = QUEUED
    created_at: float = field(default_factory=now)
    total: int | None = None
    processed: int = 0
    stored: int = 0
    failed: int = 0
    started_at: float | None = None
    finished_at: float | None = None
    restarts: int = 0
    message: str | None = None
    callback_url: str | None = None  # told when the import ends (app/ingest/webhooks.py)
    webhook: dict | None = None  # its delivery: status, attempts, last_status, last_error, delivered_at
    tenant: str = DEFAULT_TENANT  # whose import it is, and whose records it stores


class Claims:
    """Who works on which import or webhook delivery. In one process, everything is this process's;
    `app/ingest/shared.py` holds leases in Redis when several replicas share the imports."""

    shared = False

    def claim(self, what: str) -> bool:
        return True

    def renew(self, what: str) -> None:
        return None

    def release(self, what: str) -> None:
        return None

    @contextmanager
    def holding(self, what: str) -> Iterator[bool]:
        """Claimed for the block (False: another replica holds it), released after it."""
        mine = self.claim(what)
        try:
            yield mine
        finally:
            if mine:
                self.release(what)

    def request_cancel(self, import_id: str) -> None:
        return None

    def cancel_requested(self, import_id: str) -> bool:
        return False


class ImportBook:
    """The imports on disk."""

    def __init__(self, data_dir: Path):
        self.root = Path(data_dir) / "imports"
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def create(
        self, upload: BinaryIO, filename: str, fmt: str, callback_url: str | None = None, tenant: str = DEFAULT_TENANT
    ) -> ImportJob:
        job = ImportJob(str(uuid.uuid4()), filename, fmt, callback_url=callback_url, tenant=tenant)
        folder = self.root / job.id
        folder.mkdir()
        try:
            with self.source(job).open("wb") as out:
                shutil.copyfileobj(upload, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
            check_file(self.source(job), fmt)
            self.save(job)  # from here on the import is acknowledged: it survives a restart
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return job

    def source(self, job: ImportJob) -> Path:
        return self.root / job.id / f"source.{job.format}"

    def get(self, import_id: str, tenant: str | None = None) -> ImportJob:
        """The import; with `tenant`, only if it is that tenant's (another's is answered like a missing one)."""
        import_id = parse_id(import_id, "import")
        path = self.root / import_id / "state.json"
        job = ImportJob(**json.loads(path.read_text())) if path.exists() else None
        if job is None or (tenant is not None and job.tenant != tenant):
            raise NotFound(f"No import with id {import_id}.")
        return job

    def of_tenant(self, tenant: str) -> list[ImportJob]:
        return [j for j in self.all() if j.tenant == tenant]

    def all(self) -> list[ImportJob]:
        jobs = []
        for state in self.root.glob("*/state.json"):
            try:
                jobs.append(ImportJob(**json.loads(state.read_text())))
            except (OSError, ValueError, TypeError):
                log.exception("unreadable import state %s", state)
        return sorted(jobs, key=lambda j: j.created_at)

    def save(self, job: ImportJob) -> None:
        path = self.root / job.id / "state.json"
        tmp = path.with_suffix(".tmp")
        with self._lock, tmp.open("w") as fh:
            json.dump(asdict(job), fh)
            fh.flush()
            os.fsync(fh.fileno())
            os.replace(tmp, path)

    def add_errors(self, job: ImportJob, errors: list[dict[str, Any]]) -> None:
        if not errors:
            return
        with (self.root / job.id / "errors.ndjson").open("a") as fh:
            fh.writelines(json.dumps(e) + "\n" for e in errors)
            fh.flush()
            os.fsync(fh.fileno())

    def errors(self, job: ImportJob) -> Iterator[dict[str, Any]]:
        path = self.root / job.id / "errors.ndjson"
        if path.exists():
            with path.open() as fh:
                for line in fh:
                    if line.strip():
                        yield json.loads(line)

    def forget_errors_after(self, job: ImportJob) -> None:
        """Drop errors logged for rows past `processed` (a batch cut short by a crash is redone)."""
        self._keep_errors(job, lambda e: e["seq"] < job.processed)

    def forget_errors_naming(self, job: ImportJob, external_id: str) -> int:
        """Drop the row errors of `job` that name `external_id`; how many were dropped."""
        return self._keep_errors(job, lambda e: e.get("external_id") != external_id)

    def _keep_errors(self, job: ImportJob, keep: Callable[[dict[str, Any]], bool]) -> int:
        """Rewrite the job's error log (atomically) with the errors `keep` accepts; how many were dropped."""
        path = self.root / job.id / "errors.ndjson"
        if not path.exists():
            return 0
        errors = list(self.errors(job))
        kept = [e for e in errors if keep(e)]
        if len(kept) < len(errors):
            tmp = path.with_suffix(".tmp")
            tmp.write_text("".join(json.dumps(e) + "\n" for e in kept))
            os.replace(tmp, path)
        return len(errors) - len(kept)

    def drop_source(self, job: ImportJob) -> None:
        self.source(job).unlink(missing_ok=True)

    def errors_naming(self, external_id: str, tenant: str) -> list[tuple[ImportJob, dict[str, Any]]]:
        """Every logged row error of the tenant's imports that names `external_id`, with its import."""
        return [
            (job, e) for job in self.of_tenant(tenant) for e in self.errors(job) if e.get("external_id") == external_id
        ]

    def files_naming(self, external_id: str, tenant: str) -> list[ImportJob]:
        """The tenant's imports whose uploaded file (still on disk) holds `external_id`, in any encoding a file
        may use."""
        needles = {external_id.encode(enc, "ignore") for enc in ("utf-8", "cp1252", "utf-16-le")} - {b""}
        found = []
        for job in self.of_tenant(tenant):
            path = self.source(job)
            if path.exists() and any(_file_holds(path, n) for n in needles):
                found.append(job)
        return found

    def remove(self, job: ImportJob) -> None:
        """Everything kept for an ended import: its state, its file (a failed one keeps it) and its row errors."""
        shutil.rmtree(self.root / job.id, ignore_errors=True)


class ImportRunner:
    """One background thread works through the queued imports, oldest first, in batches."""

    def __init__(
        self,
        book: ImportBook,
        put_many: Callable[..., list],
        validate: Callable[[Any], dict],
        bulk_load: Callable[[], Any],
        batch_size: int = 64,
        retry_s: float = 10.0,
        max_pending: int = 16,
        on_finished: Callable[[ImportJob], None] | None = None,
        claims: Claims | None = None,
        poll_s: float = 2.0,
    ):
        self.book, self.put_many, self.validate, self.bulk_load = book, put_many, validate, bulk_load
        self.batch_size, self.retry_s, self.max_pending = batch_size, retry_s, max_pending
        self.on_finished = on_finished  # e.g. the webhook sender's schedule
        self.claims, self.poll_s = claims or Claims(), poll_s
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._cancel: set[str] = set()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._rates: dict[str, tuple[float, int]] = {}  # id -> (run start, processed at run start)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Queue every import that a previous process left unfinished, then start working. Shared with
        other replicas, a running import is resumed only once its lease has run out (its replica died)."""
        for job in self.book.all():
            if job.status not in FINISHED:
                if job.status == RUNNING and not self.claims.shared:
                    job.restarts += 1
                    job.status = QUEUED
                    self.book.save(job)
                    log.info("import %s resumes after row %d of %s", job.id, job.processed, job.total)
                self._queue.put(job.id)
        self._thread = threading.Thread(target=self._work, name="imports", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the current batch; a running import stays `running` on disk and resumes next start."""
        self._stopping.set()
        self._queue.put(None)
        if self._thread:
            self._thread.join(timeout)

    def submit(
        self, upload: BinaryIO, filename: str, fmt: str, callback_url: str | None = None, tenant: str = DEFAULT_TENANT
    ) -> ImportJob:
        """Queue an upload; refused while `max_pending` imports wait or run (their files fill the disk)."""
        pending = sum(j.status not in FINISHED for j in self.book.all())
        if pending >= self.max_pending:
            raise TooManyRequests(
                f"{pending} imports are queued or running; wait for one to end or cancel one "
                "(JOBMATCH_MAX_PENDING_IMPORTS).",
                {"pending": pending, "max_pending": self.max_pending},
                code="too_many_imports",
            )
        job = self.book.create(upload, filename, fmt, callback_url, tenant)
        self._queue.put(job.id)
        return job

    def cancel(self, import_id: str, tenant: str | None = None) -> ImportJob:
        with self._lock:
            job = self.book.get(import_id, tenant)
            if job.status in FINISHED:
                raise Conflict(f"Import {job.id} has already ended ({job.status}); there is nothing to cancel.")
            self._cancel.add(job.id)
            self.claims.request_cancel(job.id)  # seen by whichever replica runs it, after its batch
            if self.claims.claim(job.id):  # nobody runs it: a queued one ends here
                try:
                    job = self.book.get(job.id)
                    if job.status == QUEUED:
                        self._finish(job, CANCELLED)
                finally:
                    self.claims.release(job.id)
        return self.book.get(job.id)

    def wait_ended(self, import_id: str, timeout: float = 120.0) -> ImportJob:
        """Block until the import has ended (a cancelled one stops after its current batch)."""
        deadline = time.monotonic() + timeout
        while (job := self.book.get(import_id)).status not in FINISHED and time.monotonic() < deadline:
            time.sleep(0.05)
        return job

    def cancel_or_remove(self, import_id: str, tenant: str | None = None) -> ImportJob | None:
        """A queued or running import is cancelled (returned); an ended one is removed with its file and row
        errors (None), so that an upload never has to stay on the server."""
        with self._lock:
            job = self.book.get(import_id, tenant)
            if job.status in FINISHED:
                self.book.remove(job)
                return None
        return self.cancel(import_id, tenant)

    def page(self, limit: int, offset: int, tenant: str) -> tuple[list[ImportJob], int]:
        """The tenant's imports, newest first, and how many there are."""
        jobs = self.book.of_tenant(tenant)[::-1]
        return jobs[offset : offset + limit], len(jobs)

    def progress(self, job: ImportJob) -> tuple[float | None, float | None]:
        """(rows per second in this run, seconds left), None until there is something to measure."""
        started = self._rates.get(job.id)
        if job.status != RUNNING or not started:
            return None, None
        elapsed, done = time.monotonic() - started[0], job.processed - started[1]
        if elapsed <= 0 or done <= 0:
            return None, None
        rate = done / elapsed
        return rate, (max(job.total - job.processed, 0) / rate if job.total is not None else None)

    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                import_id = self._queue.get(timeout=self.poll_s if self.claims.shared else None)
            except queue.Empty:  # shared: imports of other replicas, or left by one that died
                for job in self.book.all():
                    if job.status not in FINISHED:
                        self._queue.put(job.id)
                continue
            if import_id is None:
                break
            if not self.claims.claim(import_id):
                continue  # another replica works on it
            try:
                self._work_on(import_id)
            finally:
                self.claims.release(import_id)

    def _work_on(self, import_id: str) -> None:
        try:
            job = self.book.get(import_id)  # read once claimed: another replica may have moved it on
        except NotFound:
            return
        if job.status in FINISHED:
            return
        if job.status == RUNNING and self.claims.shared:  # claimed while running: its replica died
            job.restarts += 1
            log.info("import %s resumes after row %d of %s (its replica stopped)", job.id, job.processed, job.total)
        try:
            with bulk_work():  # imports yield the encoder to interactive requests between slices
                self._run(job)
        except StoreUnavailable as exc:  # keep it: try again shortly, from where it stopped
            log.warning("import %s paused: %s; retrying in %.0f s", job.id, exc.message, self.retry_s)
            self._stopping.wait(self.retry_s)
            self._queue.put(job.id)
        except DomainError as exc:  # e.g. a .json file that turns out not to be JSON
            self._finish(job, FAILED, exc.message)
        except Exception as exc:  # never let one import kill the worker
            log.exception("import %s failed", job.id)
            self._finish(job, FAILED, f"{type(exc).__name__}: {exc}")

    def _cancelled(self, job: ImportJob) -> bool:
        return job.id in self._cancel or self.claims.cancel_requested(job.id)

    def _run(self, job: ImportJob) -> None:
        with self._lock:
            if job.id in self._cancel:
                return
            if self.claims.cancel_requested(job.id):  # asked of another replica before this one claimed it
                self._finish(job, CANCELLED)
                return
            job.status, job.started_at = RUNNING, job.started_at or now()
            self.book.save(job)
        source = self.book.source(job)
        if job.total is None:
            job.total = count_rows(source, job.format)
            self.book.save(job)
        self.book.forget_errors_after(job)
        self._rates[job.id] = (time.monotonic(), job.processed)
        with self.bulk_load():
            for batch in _batches(read_rows(source, job.format, skip=job.processed), self.batch_size):
                if self._cancelled(job) or self._stopping.is_set():
                    break
                self._store(job, batch)
        cancelled = self._cancelled(job)
        if self._stopping.is_set() and not cancelled:
            return  # shutting down: resumes on the next start (or on another replica)
        self._finish(job, CANCELLED if cancelled else DONE)

    def _store(self, job: ImportJob, batch: list[Row]) -> None:
        docs, ids, errors = [], [], []
        for seq, row in enumerate(batch, start=job.processed):
            try:
                if row.error:
                    raise RowInvalid(row.error)
                doc = self.validate(row.item)
            except RowInvalid as exc:
                errors.append({"row": row.row, "external_id": row.external_id, "message": str(exc), "seq": seq})
                continue
            docs.append(doc)
            ids.append(None if doc.get("external_id") else str(uuid.uuid5(ROW_IDS, f"{job.id}:{seq}")))
        self.put_many(Kind.CANDIDATE, docs, ids, job.tenant)  # stored (durable in the store's log) ...
        self.book.add_errors(job, errors)
        job.processed += len(batch)  # ... before it is counted
        job.stored += len(docs)
        job.failed += len(errors)
        self.book.save(job)
        self.claims.renew(job.id)
        IMPORT_ROWS.labels("stored").inc(len(docs))
        IMPORT_ROWS.labels("failed").inc(len(errors))

    def _finish(self, job: ImportJob, status: str, message: str | None = None) -> None:
        job.status, job.finished_at, job.message = status, now(), message
        if job.callback_url:
            job.webhook = {
                "status": "pending",
                "attempts": 0,
                "last_status": None,
                "last_error": None,
                "delivered_at": None,
            }
        self.book.save(job)
        if job.callback_url and self.on_finished is not None:
            self.on_finished(job)
        if status != FAILED:  # a failed import keeps its file, to be looked at
            self.book.drop_source(job)
        self._cancel.discard(job.id)
        self._rates.pop(job.id, None)


def _file_holds(path: Path, needle: bytes, chunk: int = 1 << 20) -> bool:
    """Whether the bytes occur in the file, read a MB at a time (with an overlap for a needle on a border)."""
    tail = b""
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            if needle in tail + block:
                return True
            tail = block[-len(needle) :]
    return False


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch
