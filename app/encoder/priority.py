"""Interactive work ahead of bulk work on the one encoder.

The encoder runs one slice of texts at a time (its cores are busy either way). A request that encodes
a lot (an embed batch of long texts, a bulk write, an import) runs as bulk work: between two of its
slices, any interactive caller that is waiting (a match, a single write, a normalisation) goes first.
So one client's 500-chunk batch delays a match by at most one slice, not by the whole batch.

Callers mark bulk work with `bulk_work()`; everything else is interactive. The mark is a context
variable, so it follows the request into the thread that runs it and no signature changes.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

INTERACTIVE, BULK = 0, 1
_priority: ContextVar[int] = ContextVar("encode_priority", default=INTERACTIVE)


@contextmanager
def bulk_work() -> Iterator[None]:
    """Encode calls inside this block yield to interactive ones between slices."""
    token = _priority.set(BULK)
    try:
        yield
    finally:
        _priority.reset(token)


def current_priority() -> int:
    return _priority.get()


class EncoderGate:
    """One slice on the encoder at a time; a bulk slice waits while an interactive caller waits."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._busy = False
        self._waiting = [0, 0]  # per priority

    @contextmanager
    def turn(self) -> Iterator[None]:
        p = _priority.get()
        with self._cond:
            self._waiting[p] += 1
            try:
                while self._busy or (p == BULK and self._waiting[INTERACTIVE]):
                    self._cond.wait()
            finally:
                self._waiting[p] -= 1
            self._busy = True
        try:
            yield
        finally:
            with self._cond:
                self._busy = False
                self._cond.notify_all()

    @property
    def waiting(self) -> tuple[int, int]:
        """(interactive, bulk) callers waiting for the encoder now."""
        with self._cond:
            return self._waiting[0], self._waiting[1]
