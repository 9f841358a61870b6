"""The embedded store leaves out of a search the keyword matches every stored point passes (one tenant,
one model), and never returns a hit outside the whole filter: a point written since the count is caught
by checking the hits, and the search runs again under the whole filter."""

import dataclasses
import uuid

import numpy as np
import pytest

from app.matching.lexical_vectors import Bm25Encoder
from app.store.base import FieldType, StoredPoint
from app.store.conditions import Filter, Match, Range
from app.store.edge import EdgeStore

DIM = 8
INDEXES = {"tenant": FieldType.TENANT, "model": FieldType.KEYWORD, "years": FieldType.FLOAT}
BM25 = Bm25Encoder()
WORDS = "python java nurse driver welder accountant teacher chef spring django icu truck baker".split()


def point(i: int, tenant: str, vector, text: str = "python developer") -> StoredPoint:
    v = np.asarray(vector, dtype=np.float64)
    return StoredPoint(
        str(uuid.UUID(int=i + 1)),
        {"tenant": tenant, "model": "m1", "years": float(i % 7), "text": text},
        (v / np.linalg.norm(v)).tolist(),
        BM25.document(text),
    )


@pytest.fixture
def store(tmp_path):
    s = EdgeStore(tmp_path / "edge")
    s.ensure_collection("c", DIM, INDEXES, sparse=True)
    rng = np.random.default_rng(5)
    s.upsert("c", [point(i, "acme", rng.normal(size=DIM), " ".join(rng.choice(WORDS, 4))) for i in range(60)])
    yield s
    s.close()


def mine(tenant: str = "acme") -> Filter:
    return Filter(must=[Range("years", gte=1), Match("tenant", tenant), Match("model", "m1")])


def test_matches_every_point_passes_are_left_out_and_the_rest_kept(store):
    narrowed, dropped = store._narrowed("c", mine())
    assert set(dropped) == {Match("tenant", "acme"), Match("model", "m1")}
    assert narrowed == Filter(must=[Range("years", gte=1)])


def test_a_layout_can_keep_every_condition(store):
    store.layout = dataclasses.replace(store.layout, narrow=False)
    assert store._narrowed("c", mine()) == (mine(), ())


def test_nothing_is_left_out_once_a_second_tenant_is_stored(store):
    store.upsert("c", [point(100, "globex", np.ones(DIM))])
    narrowed, dropped = store._narrowed("c", mine())
    assert dropped == (Match("model", "m1"),)
    assert Match("tenant", "acme") in narrowed.must


def test_what_every_point_passes_is_counted_once_until_the_next_write(store, monkeypatch):
    assert store._narrowed("c", mine())[1]  # counted: both conditions left out
    counts = []
    shard = store._shard("c")
    monkeypatch.setattr(store, "_shard", lambda name: CountingShard(shard, counts))
    for _ in range(3):
        assert set(store._narrowed("c", mine())[1]) == {Match("tenant", "acme"), Match("model", "m1")}
    assert counts == []  # remembered
    store.upsert("c", [point(100, "globex", np.ones(DIM))])
    assert store._narrowed("c", mine())[1] == (Match("model", "m1"),)  # counted again after the write
    assert counts


class CountingShard:
    def __init__(self, shard, counts: list):
        self.shard, self.counts = shard, counts

    def count(self, request):
        self.counts.append(request)
        return self.shard.count(request)

    def __getattr__(self, name):
        return getattr(self.shard, name)


def test_narrowed_searches_return_what_the_whole_filter_returns(store):
    rng = np.random.default_rng(9)
    for _ in range(5):
        query = rng.normal(size=DIM)
        query = (query / np.linalg.norm(query)).tolist()
        sparse = BM25.query(" ".join(rng.choice(WORDS, 3)))
        whole = store._search("c", query, mine(), 10, 0, False, None, None, False)
        assert same_ranking(store.search("c", query, mine(), 10), whole)
        assert same_ranking(
            store.hybrid("c", query, sparse, mine(), 10), store._hybrid("c", query, sparse, mine(), 10, None, sparse)
        )


def same_ranking(got, want) -> bool:
    """The same scores in the same order, and the same points at each score (the engine orders ties as it
    meets them, and the lowest score may be cut off at the limit)."""
    if [round(h.score, 6) for h in got] != [round(h.score, 6) for h in want]:
        return False
    at = {round(h.score, 6) for h in want} - {round(want[-1].score, 6)}
    return all(
        {h.id for h in got if round(h.score, 6) == s} == {h.id for h in want if round(h.score, 6) == s} for s in at
    )


def test_a_point_outside_the_filter_written_after_the_count_is_never_returned(store, monkeypatch):
    """The count said every point is acme's; a globex point nearest the query arrived since."""
    query = np.ones(DIM) / np.sqrt(DIM)
    store.upsert("c", [point(100 + i, "globex", np.ones(DIM), "python developer python") for i in range(3)])
    stale = Filter(must=[Range("years", gte=1), Match("model", "m1")])
    monkeypatch.setattr(store, "_narrowed", lambda name, flt: (stale, (Match("tenant", "acme"),)))
    assert {h.payload["tenant"] for h in store.search("c", query.tolist(), stale, 50)} == {"acme", "globex"}
    hits = store.search("c", query.tolist(), mine(), 10)
    fused = store.hybrid("c", query.tolist(), BM25.query("python developer"), mine(), 10)
    assert len(hits) == len(fused) == 10
    assert {h.payload["tenant"] for h in hits + fused} == {"acme"}
    some = store.hybrid("c", query.tolist(), BM25.query("python developer"), mine(), 10, ("text",))
    assert same_ranking(some, fused)  # the tenant read to check them, not returned
    assert all(set(h.payload) == {"text"} and h.sparse is not None for h in some)


def test_the_payload_read_to_check_a_hit_is_not_returned(store):
    query = np.ones(DIM) / np.sqrt(DIM)
    hits = store.search("c", query.tolist(), mine(), 5, fields=("text",))
    assert len(hits) == 5 and all(set(h.payload) == {"text"} for h in hits)
