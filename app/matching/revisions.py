"""Revisions of what cached results depend on: the occupation set and the exclusion rules.

A title's normalisation is cached per (occupation set, rules) revision, records remember the occupation
set their top occupations were computed against, and a process skips the rules query while it knows of
no rule. One process keeps the revisions itself (in files beside its store, so a restart keeps them);
replicas that share Redis keep them there, so an occupation or a rule added through one replica is seen
by every replica at its next request."""

import uuid
from pathlib import Path


class Revisions:
    """Revisions in this process, each also written to `<folder>/<name>_revision` when a folder is given."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder
        self._mem: dict[str, str] = {}

    def _file(self, name: str) -> Path | None:
        return self.folder / f"{name}_revision" if self.folder is not None else None

    def get(self, name: str) -> str:
        if name not in self._mem:
            path = self._file(name)
            self._mem[name] = path.read_text().strip() if path is not None and path.exists() else "0"
        return self._mem[name]

    def bump(self, name: str) -> str:
        """A new revision of `name`: everything computed with the old one is stale."""
        rev = uuid.uuid4().hex[:16]
        path = self._file(name)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(rev + "\n")
        self._mem[name] = rev
        return rev


class RedisRevisions(Revisions):
    """Revisions in Redis, read on every use (one GET): shared by every replica."""

    def __init__(self, client, prefix: str = "jobmatch:"):
        super().__init__(None)
        self.redis, self.prefix = client, prefix

    def get(self, name: str) -> str:
        raw = self.redis.get(f"{self.prefix}revision:{name}")
        return raw.decode() if isinstance(raw, bytes) else "0"

    def bump(self, name: str) -> str:
        rev = uuid.uuid4().hex[:16]
        self.redis.set(f"{self.prefix}revision:{name}", rev)
        return rev
