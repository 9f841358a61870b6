"""The BM25 terms a match pool is searched with: the query's terms less those most records contain.

The sparse prefetch of a match (`Matcher._pool`) walks the stored postings of every query term, checking
the request's filter at each record it meets. A term found in a large share of the records
("experience", "team", "work") has the longest list and the lowest IDF: it costs the most and decides
little about who is found. With `max_share` set, the pool is searched without the query's terms found in
more than that share of the stored records (document frequencies counted on a sample of them, refreshed
every `refresh_s`; the rarest term stays when every term is that common); each pool member's BM25 score,
the `lexical` criterion, still counts every term of the query. Figures in docs/scaling.md.
"""

import threading
import time
from collections import Counter
from collections.abc import Callable

from app.store.base import Sparse, VectorStore

SAMPLE = 4000  # stored records whose terms are counted: a share of 1% is 40 of them
REFRESH_S = 600.0


class PoolTerms:
    def __init__(
        self,
        store: VectorStore,
        max_share: float | None,
        sample: int = SAMPLE,
        refresh_s: float = REFRESH_S,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.store = store
        self.max_share = max_share
        self.sample = sample
        self.refresh_s = refresh_s
        self._clock = clock
        self._counts: dict[str, tuple[float, int, Counter]] = {}
        self._lock = threading.Lock()

    def query(self, name: str, sparse: Sparse) -> Sparse:
        """`sparse` without the terms in more than `max_share` of the records sampled from `name` (its
        rarest term kept if that is all of them); `sparse` itself when no limit is set or none is dropped."""
        if self.max_share is None or len(sparse.indices) <= 1:
            return sparse
        n, df = self.frequencies(name)
        most = self.max_share * n
        kept = [i for i, t in enumerate(sparse.indices) if df[t] <= most]
        if len(kept) == len(sparse.indices):
            return sparse
        if not kept:
            kept = [min(range(len(sparse.indices)), key=lambda i: df[sparse.indices[i]])]
        return Sparse(tuple(sparse.indices[i] for i in kept), tuple(sparse.values[i] for i in kept))

    def frequencies(self, name: str) -> tuple[int, Counter]:
        """How many records of `name` were sampled and in how many of them each term occurs (counted
        again after `refresh_s`)."""
        now = self._clock()
        cached = self._counts.get(name)
        if cached is None or now - cached[0] >= self.refresh_s:
            with self._lock:  # one count at a time; a caller that waited finds it done
                cached = self._counts.get(name)
                if cached is None or now - cached[0] >= self.refresh_s:
                    counts: Counter = Counter()
                    sample = self.store.sample_sparse(name, self.sample)
                    for s in sample:
                        counts.update(set(s.indices))
                    cached = self._counts[name] = (now, len(sample), counts)
        return cached[1], cached[2]
