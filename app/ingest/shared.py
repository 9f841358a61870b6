"""Import state every API replica sees: Redis holds each import's state, row errors and uploaded file,
and leases say which replica works on what.

With `JOBMATCH_REDIS_URL` set, every replica of the service (N stateless API processes behind a load
balancer, one Qdrant cluster) shares its imports: any replica answers for any import, and when the
replica running an import dies, its lease runs out and another replica resumes the import after the
last counted batch, exactly as one process does after a restart (`app/ingest/imports.py`). Webhook
deliveries are claimed the same way, and their next attempt time is shared, so a delivery neither
doubles nor loses its back-off when a replica dies. Without a URL, imports stay on the local disk.

Keys (prefix `jobmatch:` by default): `imports` (hash: id -> state JSON), `import:<id>:errors` (list
of row errors), `import:<id>:file` (list of 1 MiB chunks of the uploaded file; each replica keeps a
local copy to parse), `import:<id>:cancel` (a cancel request), `lease:<what>` (redis-py locks).
"""

import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import redis

from app.errors import NotFound, StoreUnavailable
from app.ingest.imports import Claims, ImportBook, ImportJob
from app.matching.ids import parse_id

log = logging.getLogger(__name__)
CHUNK = 1 << 20


def connect(url: str) -> redis.Redis:
    """A client for `url`; fails at start-up (not on the first upload) when Redis cannot be reached."""
    client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5, health_check_interval=30)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise StoreUnavailable(f"Redis at {url} is not reachable: {exc}.") from exc
    return client


class RedisImportBook(ImportBook):
    """ImportBook whose state, row errors and files live in Redis; `data_dir` holds local copies of files."""

    def __init__(self, data_dir: Path, client: redis.Redis, prefix: str = "jobmatch:"):
        super().__init__(data_dir)
        self.redis, self.prefix = client, prefix

    def _k(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def create(self, upload, filename, fmt, callback_url=None, tenant="default") -> ImportJob:
        job = super().create(upload, filename, fmt, callback_url, tenant)  # local file, checked, state saved
        try:
            key = self._k("import", job.id, "file")
            with self.local_source(job).open("rb") as fh, self.redis.pipeline() as pipe:
                pipe.delete(key)
                while chunk := fh.read(CHUNK):
                    pipe.rpush(key, chunk)
                pipe.execute()
        except BaseException:
            self.remove(job)
            raise
        return job

    def local_source(self, job: ImportJob) -> Path:
        return super().source(job)

    def source(self, job: ImportJob) -> Path:
        """The uploaded file, copied from Redis the first time this replica needs it."""
        path = self.local_source(job)
        key = self._k("import", job.id, "file")
        if path.exists() or not self.redis.exists(key):  # copied already, or dropped: nothing to copy
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        with tmp.open("wb") as out:
            for start in range(0, self.redis.llen(key), 16):  # 16 MiB per round trip
                out.writelines(c for c in self.redis.lrange(key, start, start + 15) if isinstance(c, bytes))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        return path

    def get(self, import_id: str, tenant: str | None = None) -> ImportJob:
        import_id = parse_id(import_id, "import")
        raw = self.redis.hget(self._k("imports"), import_id)
        job = ImportJob(**json.loads(raw)) if raw else None
        if job is None or (tenant is not None and job.tenant != tenant):
            raise NotFound(f"No import with id {import_id}.")
        return job

    def all(self) -> list[ImportJob]:
        jobs = []
        for raw in self.redis.hvals(self._k("imports")):
            try:
                jobs.append(ImportJob(**json.loads(raw)))
            except (ValueError, TypeError):
                log.exception("unreadable import state in Redis")
        return sorted(jobs, key=lambda j: j.created_at)

    def save(self, job: ImportJob) -> None:
        self.redis.hset(self._k("imports"), job.id, json.dumps(asdict(job)))

    def add_errors(self, job: ImportJob, errors: list[dict[str, Any]]) -> None:
        if errors:
            self.redis.rpush(self._k("import", job.id, "errors"), *(json.dumps(e) for e in errors))

    def errors(self, job: ImportJob) -> Iterator[dict[str, Any]]:
        key = self._k("import", job.id, "errors")
        for start in range(0, self.redis.llen(key), 1000):
            for raw in self.redis.lrange(key, start, start + 999):
                yield json.loads(raw)

    def _keep_errors(self, job: ImportJob, keep: Callable[[dict[str, Any]], bool]) -> int:
        errors = list(self.errors(job))
        kept = [e for e in errors if keep(e)]
        if len(kept) < len(errors):
            key = self._k("import", job.id, "errors")
            with self.redis.pipeline() as pipe:  # MULTI: other replicas never see it half rewritten
                pipe.delete(key)
                if kept:
                    pipe.rpush(key, *(json.dumps(e) for e in kept))
                pipe.execute()
        return len(errors) - len(kept)

    def drop_source(self, job: ImportJob) -> None:
        self.redis.delete(self._k("import", job.id, "file"))
        self.local_source(job).unlink(missing_ok=True)

    def remove(self, job: ImportJob) -> None:
        self.redis.delete(self._k("import", job.id, "errors"), self._k("import", job.id, "file"))
        self.redis.hdel(self._k("imports"), job.id)
        shutil.rmtree(self.root / job.id, ignore_errors=True)


class RedisClaims(Claims):
    """Leases in Redis (redis-py locks with a time to live, renewed while held): one replica works on an
    import or a webhook delivery at a time, and a dead replica's leases run out after `ttl_s`."""

    shared = True

    def __init__(self, client: redis.Redis, prefix: str = "jobmatch:", ttl_s: float = 30.0):
        self.redis, self.prefix, self.ttl_s = client, prefix, ttl_s
        self._held: dict[str, Any] = {}

    def claim(self, what: str) -> bool:
        lock = self.redis.lock(f"{self.prefix}lease:{what}", timeout=self.ttl_s, blocking=False)
        if not lock.acquire():
            return False
        self._held[what] = lock
        return True

    def renew(self, what: str) -> None:
        lock = self._held.get(what)
        if lock is not None:
            lock.reacquire()  # back to a full ttl

    def release(self, what: str) -> None:
        lock = self._held.pop(what, None)
        if lock is not None:
            try:
                lock.release()
            except redis.exceptions.LockError:  # it ran out meanwhile
                pass

    def request_cancel(self, import_id: str) -> None:
        self.redis.set(f"{self.prefix}import:{import_id}:cancel", 1, ex=7 * 24 * 3600)

    def cancel_requested(self, import_id: str) -> bool:
        return bool(self.redis.exists(f"{self.prefix}import:{import_id}:cancel"))
