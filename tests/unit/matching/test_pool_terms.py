"""The pool's BM25 query leaves out the terms most stored records contain, counted on a sample of them."""

from collections import Counter

import pytest

from app.matching.lexical_vectors import Bm25Encoder
from app.matching.pool_terms import PoolTerms
from app.store.base import Sparse, StoredPoint
from app.store.edge import EdgeStore


class Sampled:
    def __init__(self, vectors):
        self.vectors, self.calls = vectors, 0

    def sample_sparse(self, name, limit):
        self.calls += 1
        return self.vectors[:limit]


# of 4 records: term 1 in all, 2 in three, 3 in one, 4 and 5 in none
STORED = [
    Sparse((1, 2, 3), (1.0, 1.0, 1.0)),
    Sparse((1, 2), (1.0, 1.0)),
    Sparse((1, 2), (1.0, 1.0)),
    Sparse((1,), (1.0,)),
]
QUERY = Sparse((1, 5, 2, 3, 4), (0.1, 0.5, 0.2, 0.3, 0.4))


@pytest.mark.parametrize(
    ("share", "kept"),
    [(0.75, (5, 2, 3, 4)), (0.5, (5, 3, 4)), (0.74, (5, 3, 4)), (0.25, (5, 3, 4)), (0.2, (5, 4))],
)
def test_terms_in_more_than_the_share_of_records_are_left_out(share, kept):
    weights = dict(zip(QUERY.indices, QUERY.values))
    got = PoolTerms(Sampled(STORED), share).query("c", Sparse(QUERY.indices, QUERY.values))
    assert got == Sparse(kept, tuple(weights[t] for t in kept))


def test_the_rarest_term_stays_when_every_term_is_common():
    assert PoolTerms(Sampled(STORED), 0.1).query("c", Sparse((2, 1), (0.2, 0.1))) == Sparse((2,), (0.2,))


def test_without_a_share_nothing_is_sampled_or_dropped():
    store = Sampled(STORED)
    assert PoolTerms(store, None).query("c", QUERY) is QUERY
    assert PoolTerms(store, 1.0).query("c", QUERY) is QUERY
    assert store.calls == 1  # (the second counted, and dropped nothing)


def test_frequencies_are_counted_again_after_the_refresh_time():
    now = [0.0]
    store = Sampled(STORED)
    terms = PoolTerms(store, 0.5, sample=2, refresh_s=60, clock=lambda: now[0])
    assert terms.frequencies("c") == (2, Counter({1: 2, 2: 2, 3: 1}))  # the first two records only
    store.vectors = [Sparse((4,), (1.0,))]
    now[0] = 59.0
    assert terms.frequencies("c")[1][4] == 0 and store.calls == 1
    now[0] = 60.0
    assert terms.frequencies("c") == (1, Counter({4: 1})) and store.calls == 2


def test_frequencies_from_a_real_store(tmp_path):
    bm25 = Bm25Encoder()
    texts = ["python developer", "python teacher", "python nurse", "welder"]
    store = EdgeStore(tmp_path / "s")
    store.ensure_collection("c", 2, {}, sparse=True)
    store.upsert(
        "c",
        [
            StoredPoint(f"00000000-0000-0000-0000-00000000000{i}", {}, [1.0, 0.0], bm25.document(t))
            for i, t in enumerate(texts, 1)
        ],
    )
    terms = PoolTerms(store, 0.5)
    (python,) = bm25.query("python").indices
    (welder,) = bm25.query("welder").indices
    n, df = terms.frequencies("c")
    assert (n, df[python], df[welder]) == (4, 3, 1)
    assert terms.query("c", bm25.query("python welder")) == bm25.query("welder")
    store.close()
