"""The same scenarios against every store backend; their answers must agree.

Backends: the embedded engine (qdrant-edge) in a temp dir, and the server implementation driven
through qdrant-client's in-memory mode (no Qdrant server runs on these machines).
"""

import uuid

import numpy as np
import pytest
from qdrant_client import QdrantClient

from app.domain import now
from app.store.base import FieldType, StoredPoint
from app.store.conditions import Filter, GeoRadius, IsEmpty, Match, MatchAny, Range
from app.store.edge import EdgeStore
from app.store.server import ServerStore

DIM = 16
INDEXES = {
    "city": FieldType.KEYWORD,
    "years": FieldType.FLOAT,
    "remote": FieldType.KEYWORD,
    "geo": FieldType.GEO,
    "tags": FieldType.KEYWORD,
    "created_at": FieldType.FLOAT,
}
CITIES = ["berlin", "munich", "paris"]
GEO = {"berlin": (52.52, 13.40), "munich": (48.14, 11.58), "paris": (48.86, 2.35)}


def make_points(n: int = 200, seed: int = 7) -> list[StoredPoint]:
    rng = np.random.default_rng(seed)
    vecs = rng.normal(size=(n, DIM)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    pts = []
    for i in range(n):
        city = CITIES[i % 3]
        lat, lon = GEO[city]
        pts.append(
            StoredPoint(
                str(uuid.UUID(int=i + 1)),
                {
                    "city": city,
                    "years": float(i % 15),
                    "remote": "true" if i % 4 == 0 else "false",
                    "geo": {"lat": lat, "lon": lon},
                    "tags": [f"t{i % 5}", f"t{i % 7}"],
                    "created_at": float(1000 + i),
                    "doc": {"i": i},
                },
                vecs[i].tolist(),
            )
        )
    return pts


@pytest.fixture(params=["embedded", "server"])
def store(request, tmp_path):
    s = EdgeStore(tmp_path / "edge") if request.param == "embedded" else ServerStore(QdrantClient(":memory:"))
    s.ensure_collection("c", DIM, INDEXES)
    s.upsert("c", make_points())
    yield s
    s.close()


@pytest.fixture
def reference(tmp_path):
    """Both backends loaded with the same points, to compare answers side by side."""
    edge = EdgeStore(tmp_path / "ref")
    server = ServerStore(QdrantClient(":memory:"))
    for s in (edge, server):
        s.ensure_collection("c", DIM, INDEXES)
        s.upsert("c", make_points())
    yield edge, server
    edge.close()
    server.close()


FILTERS = {
    "none": None,
    "city": Filter(must=[Match("city", "berlin")]),
    "flag": Filter(must=[Match("remote", "true")]),
    "range": Filter(must=[Range("years", gte=3, lte=7)]),
    "any": Filter(must=[MatchAny("tags", ("t1", "t3"))]),
    "geo": Filter(must=[GeoRadius("geo", 48.14, 11.58, 50_000)]),
    "combined": Filter(must=[Match("city", "paris"), Range("years", gte=5)], must_not=[Match("tags", "t2")]),
}


def brute_force(points, query, keep, limit):
    scored = [(float(np.dot(p.vector, query)), p.id) for p in points if keep(p.payload)]
    return [pid for _, pid in sorted(scored, reverse=True)[:limit]]


@pytest.mark.parametrize("name", FILTERS)
def test_search_agrees_across_backends(reference, name):
    edge, server = reference
    q = make_points(1, seed=99)[0].vector
    a = edge.search("c", q, FILTERS[name], limit=10)
    b = server.search("c", q, FILTERS[name], limit=10)
    assert [h.id for h in a] == [h.id for h in b]
    assert np.allclose([h.score for h in a], [h.score for h in b], atol=1e-5)
    assert len(a) == 10 and all(x.score >= y.score for x, y in zip(a, a[1:]))
    va = edge.search("c", q, FILTERS[name], limit=3, with_vector=True)
    vb = server.search("c", q, FILTERS[name], limit=3, with_vector=True)
    assert np.allclose([h.vector for h in va], [h.vector for h in vb], atol=1e-6)
    assert np.allclose([float(np.dot(h.vector, q)) for h in va], [h.score for h in va], atol=1e-5)


def test_payload_fields_limit_what_comes_back(store):
    q = make_points(1, seed=3)[0].vector
    full = store.search("c", q, None, limit=5)
    light = store.search("c", q, None, limit=5, fields=("city", "years"))
    assert [h.id for h in light] == [h.id for h in full]
    assert all(h.payload == {"city": f.payload["city"], "years": f.payload["years"]} for h, f in zip(light, full))
    got = store.retrieve("c", [full[0].id], with_vector=True, fields=("doc",))
    assert got[0].payload == {"doc": full[0].payload["doc"]} and len(got[0].vector) == DIM


def test_filters_mean_what_they_say(store):
    points = make_points()
    q = make_points(1, seed=5)[0].vector
    cases = {
        "city": lambda p: p["city"] == "berlin",
        "flag": lambda p: p["remote"] == "true",
        "range": lambda p: 3 <= p["years"] <= 7,
        "any": lambda p: bool({"t1", "t3"} & set(p["tags"])),
        "geo": lambda p: p["city"] == "munich",
        "combined": lambda p: p["city"] == "paris" and p["years"] >= 5 and "t2" not in p["tags"],
    }
    for name, keep in cases.items():
        got = [h.id for h in store.search("c", q, FILTERS[name], limit=15)]
        assert got == brute_force(points, q, keep, 15), name


def test_offset_pages_through_results(store):
    q = make_points(1, seed=3)[0].vector
    full = [h.id for h in store.search("c", q, None, limit=20)]
    assert [h.id for h in store.search("c", q, None, limit=10, offset=10)] == full[10:]


def test_crud(store):
    pid = str(uuid.UUID(int=5))
    got = store.retrieve("c", [pid], with_vector=True)[0]
    assert got.payload["doc"] == {"i": 4} and len(got.vector) == DIM
    store.delete("c", [pid])
    assert store.retrieve("c", [pid]) == []
    assert store.count("c") == 199
    assert store.count("c", Filter(must=[Match("city", "munich")])) == 66  # 67 minus the deleted one (i=4)


def test_set_payload_changes_only_the_keys_given(store):
    pid = str(uuid.UUID(int=5))
    before = store.retrieve("c", [pid], with_vector=True)[0]
    store.set_payload("c", pid, {"city": "lyon", "extra": {"a": [1, 2]}})
    after = store.retrieve("c", [pid], with_vector=True)[0]
    assert after.payload == {**before.payload, "city": "lyon", "extra": {"a": [1, 2]}}
    assert np.allclose(after.vector, before.vector)
    assert store.count("c", Filter(must=[Match("city", "lyon")])) == 1  # the index follows
    assert [p.id for p in store.find("c", Filter(must=[Match("city", "lyon")]), 5)] == [pid]


def test_is_empty_and_set_payload_where(store):
    assert store.count("c", Filter(must=[IsEmpty("owner")])) == 200
    store.set_payload_where("c", Filter(must=[Match("city", "berlin")]), {"owner": "x"})
    berlin = store.count("c", Filter(must=[Match("city", "berlin")]))
    assert store.count("c", Filter(must=[Match("owner", "x")])) == berlin > 0
    assert store.count("c", Filter(must=[IsEmpty("owner")])) == 200 - berlin
    store.set_payload_where("c", Filter(must=[IsEmpty("owner")]), {"owner": "y"})
    assert store.count("c", Filter(must=[IsEmpty("owner")])) == 0


def test_find_and_page(store):
    found = store.find("c", Filter(must=[MatchAny("tags", ("t4",))]), limit=100)
    assert {p.payload["doc"]["i"] % 5 == 4 or p.payload["doc"]["i"] % 7 == 4 for p in found} == {True}
    page = store.page("c", "created_at", limit=5, offset=10)
    assert [p.payload["doc"]["i"] for p in page] == [10, 11, 12, 13, 14]
    newest = store.page("c", "created_at", limit=3, offset=1, descending=True)
    assert [p.payload["doc"]["i"] for p in newest] == [198, 197, 196]


def test_delete_by_filter_and_filtered_page(store):
    store.delete_by("c", Filter(must=[Match("city", "paris")]))
    assert store.count("c") == 134 and store.count("c", Filter(must=[Match("city", "paris")])) == 0
    page = store.page("c", "created_at", limit=3, offset=1, flt=Filter(must=[Match("city", "munich")]))
    assert [p.payload["doc"]["i"] for p in page] == [4, 7, 10]


def test_ensure_collection_is_idempotent(store):
    store.ensure_collection("c", DIM, INDEXES)
    assert store.count("c") == 200


def test_service_timestamps_survive_the_round_trip(store):
    """The engine re-parses float payloads; times taken with domain.now() must come back unchanged,
    or a record's created_at would shift by a microsecond between two reads (seen in CI)."""
    stamps = [now() + i * 1.3e-7 for i in range(500)]
    stamps = [round(t, 6) for t in stamps]
    ids = [str(uuid.UUID(int=10_000 + i)) for i in range(len(stamps))]
    store.upsert("c", [StoredPoint(pid, {"created_at": t}, [1.0] + [0.0] * (DIM - 1)) for pid, t in zip(ids, stamps)])
    assert [p.payload["created_at"] for p in store.retrieve("c", ids)] == stamps
