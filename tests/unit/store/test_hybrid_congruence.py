"""Hybrid search (dense + BM25 sparse, fused by reciprocal rank) agrees across both store backends and
with a brute-force oracle: BM25 term weights from the embedded engine's tokenizer, IDF applied by Qdrant."""

import math
import uuid

import numpy as np
import pytest
from qdrant_client import QdrantClient

from app.matching.lexical_vectors import Bm25Encoder
from app.store.base import FieldType, StoredPoint
from app.store.conditions import Filter, Match, Range
from app.store.edge import EdgeStore
from app.store.server import ServerStore

DIM = 8
WORDS = (
    "python java nurse driver welder accountant teacher chef spring django icu truck baker plumber roofer "
    "pilot cashier lawyer judge dentist surgeon farmer miner tailor barber painter editor writer actor "
    "singer dancer coach cleaner guard porter waiter"
).split()
INDEXES = {"city": FieldType.KEYWORD, "years": FieldType.FLOAT}
FILTERS = {
    "none": None,
    "city": Filter(must=[Match("city", "berlin")]),
    "range": Filter(must=[Range("years", gte=2, lte=6)], must_not=[Match("city", "paris")]),
}


def corpus(n: int = 120, seed: int = 3):
    rng = np.random.default_rng(seed)
    bm25 = Bm25Encoder()
    points = []
    for i in range(n):
        text = " ".join(rng.choice(WORDS, size=int(rng.integers(3, 14))))
        vec = rng.normal(size=DIM)
        points.append(
            StoredPoint(
                str(uuid.UUID(int=i + 1)),
                {"text": text, "city": ["berlin", "paris"][i % 2], "years": float(i % 9)},
                (vec / np.linalg.norm(vec)).tolist(),
                bm25.document(text),
            )
        )
    return points


@pytest.fixture
def stores(tmp_path):
    edge, server = EdgeStore(tmp_path / "edge"), ServerStore(QdrantClient(":memory:"))
    for s in (edge, server):
        s.ensure_collection("c", DIM, INDEXES, sparse=True)
        s.upsert("c", corpus())
    yield edge, server
    edge.close()
    server.close()


def bm25_oracle(points, query, keep):
    """Sparse dot product with Qdrant's IDF: ln(1 + (N - n + 0.5) / (n + 0.5)) over the whole collection."""
    df: dict[int, int] = {}
    for p in points:
        for t in p.sparse.indices:
            df[t] = df.get(t, 0) + 1
    n = len(points)
    scores = {}
    for p in points:
        if not keep(p.payload):
            continue
        weights = dict(zip(p.sparse.indices, p.sparse.values))
        s = sum(
            w * weights[t] * math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
            for t, w in zip(query.indices, query.values)
            if t in weights
        )
        if s > 0:
            scores[p.id] = s
    return scores


KEEP = {
    "none": lambda p: True,
    "city": lambda p: p["city"] == "berlin",
    "range": lambda p: 2 <= p["years"] <= 6 and p["city"] != "paris",
}


@pytest.mark.parametrize("name", FILTERS)
def test_hybrid_agrees_across_backends_and_with_the_oracle(stores, name):
    points = corpus()
    query_vec = points[7].vector
    query_sparse = Bm25Encoder().query("python django spring")
    edge, server = stores
    a = edge.hybrid("c", query_vec, query_sparse, FILTERS[name], limit=20)
    b = server.hybrid("c", query_vec, query_sparse, FILTERS[name], limit=20)
    assert len(a) == len(b) == 20
    # ids may swap only where ranks tie, which moves a fused score by about 1 / 60²
    assert np.allclose([h.score for h in a], [h.score for h in b], atol=6e-4)
    assert len({h.id for h in a} ^ {h.id for h in b}) <= 2
    assert all(KEEP[name](h.payload) for h in a)
    oracle = bm25_oracle(points, query_sparse, KEEP[name])
    for hits in (a, b):
        assert {h.id: h.lexical for h in hits if h.lexical > 0} == pytest.approx(
            {h.id: oracle[h.id] for h in hits if h.id in oracle}, rel=1e-4
        )
        # the dense dot product scored by the store; no dense vector unless asked for
        assert all(
            np.isclose(h.semantic, np.dot(points[int(uuid.UUID(h.id)) - 1].vector, query_vec), atol=1e-5)
            and h.vector is None
            for h in hits
        )
        assert all(h.sparse == points[int(uuid.UUID(h.id)) - 1].sparse for h in hits)
    # the best lexical and the best dense point both make the fused list
    best_lexical = max(oracle, key=oracle.get)
    dense = sorted((p for p in points if KEEP[name](p.payload)), key=lambda p: -np.dot(p.vector, query_vec))
    assert best_lexical in {h.id for h in a} and dense[0].id in {h.id for h in a}
    # asked for some payload keys, both return those alone, and the same hits
    for store, whole in ((edge, a), (server, b)):
        some = store.hybrid("c", query_vec, query_sparse, FILTERS[name], limit=20, fields=("years",))
        by_id = {h.id: h for h in whole}
        same = [(h, by_id[h.id]) for h in some if h.id in by_id]  # (tied ranks may swap at the cut-off)
        assert len(some) == 20 and len(same) >= 18
        assert all((h.lexical, h.semantic, h.sparse) == (w.lexical, w.semantic, w.sparse) for h, w in same)
        assert all(h.payload == {"years": w.payload["years"]} for h, w in same)
        # asked for the dense vectors too: the stored ones, and the same scores
        full = {h.id: h for h in store.hybrid("c", query_vec, query_sparse, FILTERS[name], limit=20, with_vector=True)}
        assert all(
            np.allclose(h.vector, points[int(uuid.UUID(h.id)) - 1].vector, atol=1e-6)
            and h.semantic == pytest.approx(by_id[h.id].semantic)
            for h in full.values()
            if h.id in by_id
        )


def test_an_old_collection_gains_the_sparse_vector(tmp_path):
    """A collection created before hybrid search is migrated in place; reopening it keeps working."""
    old = EdgeStore(tmp_path / "s")
    old.ensure_collection("c", DIM, INDEXES)
    old.upsert("c", [StoredPoint(p.id, p.payload, p.vector) for p in corpus(10)])
    old.close()
    for _ in range(2):
        store = EdgeStore(tmp_path / "s")
        store.ensure_collection("c", DIM, INDEXES, sparse=True)
        store.upsert("c", corpus(10))
        hits = store.hybrid("c", corpus(10)[0].vector, Bm25Encoder().query("python"), None, limit=5)
        assert len(hits) == 5
        store.close()


@pytest.mark.parametrize("backend", [0, 1], ids=["edge", "server"])
def test_the_pool_is_found_with_some_terms_and_scored_with_all(stores, backend):
    """`prefetch` is the sparse query that finds the pool; every hit's BM25 score is still the whole query's."""
    points, store = corpus(), stores[backend]
    bm25 = Bm25Encoder()
    whole, some = bm25.query("python django spring"), bm25.query("django")
    hits = store.hybrid("c", points[7].vector, whole, None, limit=20, prefetch=some)
    oracle_whole, oracle_some = bm25_oracle(points, whole, KEEP["none"]), bm25_oracle(points, some, KEEP["none"])
    assert {h.id: h.lexical for h in hits if h.lexical > 0} == pytest.approx(
        {h.id: oracle_whole[h.id] for h in hits if h.id in oracle_whole}, rel=1e-4
    )
    # the sparse side of the fusion ranked by the prefetch terms: their best is in, the whole query's is not
    assert max(oracle_some, key=oracle_some.get) in {h.id for h in hits}
    found_without = {h.id for h in store.hybrid("c", points[7].vector, whole, None, limit=20)}
    assert found_without != {h.id for h in hits}


@pytest.mark.parametrize("backend", [0, 1], ids=["edge", "server"])
def test_a_sample_of_stored_sparse_vectors(stores, backend):
    stored = {p.sparse for p in corpus()}
    sample = stores[backend].sample_sparse("c", 50)
    assert len(sample) == 50 and all(s in stored for s in sample)
    assert len(stores[backend].sample_sparse("c", 500)) == len(stored)
