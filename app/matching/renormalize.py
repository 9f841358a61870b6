"""Keeping stored records' top occupations in step with the occupation set, in the background.

When reference occupations are added, replaced or deleted (the shipped set loading on first start, or
a client's own), records stored before carry occupations computed against the old set: their
occupation filters and the title criterion would use stale ids. This thread waits until the set has
been quiet for a moment, then recomputes those records' occupations from their stored vectors, a
batch at a time, jobs first.

The same thread first gives records stored before the combined country x language filter field
existed that field (`Records.add_combined_fields`: read from their stored payload, nothing encoded).
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from app.domain import Kind
from app.matching.records import Records

log = logging.getLogger("jobmatch.renormalize")


class Renormalizer:
    def __init__(self, records: Records, poll_s: float = 1.0, quiet_s: float = 3.0, batch: int = 128):
        self.records = records
        self.poll_s, self.quiet_s, self.batch = poll_s, quiet_s, batch
        self.done = 0
        self.fields_added = 0
        self.running = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="renormalize", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def state(self) -> dict[str, Any]:
        """What /ready shows: records still to do, per kind, and how many were done since start."""
        pending = {k.value: self.records.count_unnormalized(k) for k in Kind}
        return {"status": "running" if self.running else "idle", "pending": pending, "renormalized": self.done}

    def fields_state(self) -> dict[str, Any]:
        """What /ready shows of records given the combined filter field: still to do, per kind, and how
        many were done since start."""
        pending = {k.value: self.records.count_without_combined(k) for k in Kind}
        return {"pending": pending, "updated": self.fields_added}

    def _loop(self) -> None:
        seen, since = None, time.monotonic()
        while not self._stop.wait(self.poll_s):
            try:
                self._add_fields()
            except Exception:  # the store may be closing or away; try again on the next round
                log.exception("adding the combined filter field to records failed")
            revision = self.records.normalizer.revision if self.records.normalizer else None
            if revision != seen:  # the set is changing: wait until it has been quiet for quiet_s
                seen, since = revision, time.monotonic()
                continue
            if time.monotonic() - since < self.quiet_s:
                continue
            try:
                self._catch_up(revision)
            except Exception:  # the store may be closing or away; try again on the next round
                log.exception("re-normalising records failed")

    def _catch_up(self, revision: str | None) -> None:
        def renormalize(kind: Kind) -> int:
            if self.records.normalizer is None or self.records.normalizer.revision != revision:
                return 0  # the set changed again: start over once it is quiet
            n = self.records.renormalize_stale(kind, self.batch)
            self.done += n
            return n

        for kind in Kind:
            self._drain(renormalize, kind)

    def _add_fields(self) -> None:
        def add(kind: Kind) -> int:
            n = self.records.add_combined_fields(kind, self.batch)
            self.fields_added += n
            return n

        for kind in Kind:
            # combined_filters: once true, no store is asked again on later rounds
            if self.records.combined_filters(kind) or not self.records.count_without_combined(kind):
                continue
            # each updated point leaves the HNSW index: one index build once all have moved, not one per
            # OPTIMIZE_AFTER_WRITES of them
            with self.records.store.bulk_load(kind.value):
                self._drain(add, kind)

    def _drain(self, step: Callable[[Kind], int], kind: Kind) -> None:
        """Run `step` on `kind` (one batch; returns how many records it looked at) until it finds none or
        the thread is stopped."""
        while not self._stop.is_set():
            self.running = True
            try:
                if step(kind) == 0:
                    return
            finally:
                self.running = False
