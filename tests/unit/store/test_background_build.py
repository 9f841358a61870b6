"""The embedded engine's index build runs in a child process on a copy of the shard: the service keeps
reading and writing meanwhile, writes made during the build are replayed on the copy before it takes
over, a failed build leaves the old shard serving, and a restart finds the new shard."""

import time
import uuid

import numpy as np
import pytest

import app.store.edge as edge
from app.store.base import FieldType, Sparse, StoredPoint
from app.store.conditions import Filter, Match
from app.store.edge import EdgeStore

DIM = 16


def points(n: int, start: int = 0) -> list[StoredPoint]:
    rng = np.random.default_rng(start)
    v = rng.standard_normal((n, DIM)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return [
        StoredPoint(
            str(uuid.UUID(int=start + i + 1)), {"city": "berlin" if i % 2 else "paris", "i": start + i}, v[i].tolist()
        )
        for i in range(n)
    ]


def build_started(store: EdgeStore, name: str, timeout: float = 60) -> None:
    """Start a background build and return once it copied the shard (writes are then journaled)."""
    with store.bulk_load(name):
        pass
    deadline = time.monotonic() + timeout
    while name not in store._journals:
        assert time.monotonic() < deadline and name in store._optimizing, "the build did not start"
        time.sleep(0.005)


@pytest.fixture
def store(tmp_path):
    s = EdgeStore(tmp_path, optimize_after_writes=10**9)
    s.retire_after_s = 0.05
    s.ensure_collection("c", DIM, {"city": FieldType.KEYWORD})
    s.upsert("c", points(3000))
    yield s
    s.close()


def test_writes_during_a_build_survive_the_switch_and_a_restart(store, tmp_path):
    pts = points(3000)
    build_started(store, "c")
    store.upsert("c", points(5, start=10_000))  # written while the copy is being indexed
    store.delete("c", [pts[0].id])
    store.set_payload("c", pts[1].id, {"city": "lyon"})
    assert len(store.search("c", pts[2].vector, None, 5)) == 5  # reads go on meanwhile
    store.wait_idle()

    def check(s: EdgeStore) -> None:
        assert s.count("c") == 3000 + 5 - 1
        assert s.retrieve("c", [pts[0].id]) == []
        assert s.retrieve("c", [pts[1].id])[0].payload["city"] == "lyon"
        assert len(s.retrieve("c", [p.id for p in points(5, start=10_000)])) == 5
        assert s.count("c", Filter(must=[Match("city", "lyon")])) == 1
        assert s.search("c", pts[2].vector, None, 1)[0].id == pts[2].id

    check(store)
    assert store.info()["collections"]["c"]["last_optimize_s"] is not None
    root = tmp_path / "collections"
    assert (root / "c.current").read_text().strip() == "c@1"
    deadline = time.monotonic() + 10
    while (root / "c").exists() and time.monotonic() < deadline:  # the replaced shard goes once retired
        time.sleep(0.05)
    assert not (root / "c").exists()
    store.close()
    again = EdgeStore(tmp_path)
    again.ensure_collection("c", DIM, {"city": FieldType.KEYWORD})
    check(again)
    again.close()


def test_upserts_during_a_build_are_journaled_by_id_and_read_back_as_they_end(tmp_path):
    """An import's journal holds ids, not payloads: the points are read back from the serving shard when
    the copy takes over, as they are then (sparse vectors too), whatever followed them."""
    s = EdgeStore(tmp_path, optimize_after_writes=10**9)
    s.retire_after_s = 0.05
    s.ensure_collection("c", DIM, {"city": FieldType.KEYWORD}, sparse=True)
    s.upsert("c", points(500))
    build_started(s, "c")
    new = points(3, start=40_000)
    new[0].sparse = Sparse((3, 9), (0.5, 0.25))
    s.upsert("c", new)
    assert s._journals["c"] == [[p.id for p in new]]  # ids only
    s.delete("c", [new[1].id])  # upserted, then deleted
    s.delete("c", [new[2].id])
    s.upsert("c", [StoredPoint(new[2].id, {"city": "rome"}, new[2].vector)])  # deleted, then upserted again
    s.set_payload("c", new[0].id, {"city": "oslo"})
    s.wait_idle()
    assert (tmp_path / "collections" / "c.current").read_text().strip() == "c@1"
    assert s.count("c") == 502 and s.retrieve("c", [new[1].id]) == []
    assert s.retrieve("c", [new[2].id])[0].payload == {"city": "rome"}
    assert s.retrieve("c", [new[0].id])[0].payload["city"] == "oslo"
    hits = s.hybrid("c", new[0].vector, Sparse((3, 9), (1.0, 1.0)), None, 5)
    assert hits[0].id == new[0].id and hits[0].sparse == Sparse((3, 9), (0.5, 0.25))
    s.close()


def test_a_failed_build_leaves_the_shard_serving(store, tmp_path, monkeypatch):
    monkeypatch.setattr(edge, "_BUILD", "import sys, time\ntime.sleep(0.5)\nsys.exit(3)\n")
    build_started(store, "c")
    store.upsert("c", points(2, start=20_000))
    store.wait_idle()
    assert store.count("c") == 3002 and "c" not in store._journals
    assert not (tmp_path / "collections" / "c.current").exists()
    assert not (tmp_path / "collections" / "c@1").exists()
    store.upsert("c", points(1, start=30_000))  # still writable
    assert store.count("c") == 3003


def test_a_build_cut_short_by_a_restart_is_thrown_away(tmp_path):
    s = EdgeStore(tmp_path, optimize_after_writes=10**9)
    s.ensure_collection("c", DIM, {})
    s.upsert("c", points(100))
    s.close()
    (tmp_path / "collections" / "c@1").mkdir()  # what a crash during a build leaves
    again = EdgeStore(tmp_path)
    again.ensure_collection("c", DIM, {})
    assert again.count("c") == 100 and not (tmp_path / "collections" / "c@1").exists()
    again.close()


@pytest.mark.slow
def test_points_moved_out_of_the_index_by_payload_updates_get_a_new_index(tmp_path):
    """Updating an indexed point's payload copies it into the plain appendable segment, where searches scan
    it; the engine still counts it as indexed. The store counts such moves, across a restart too, so the
    background build still comes (re-tagging every record after the occupation set changed did this)."""
    dim, n = 384, 8_000  # 12 MB of vectors: above the engine's indexing threshold
    s = EdgeStore(tmp_path, optimize_after_writes=10**9)
    s.ensure_collection("c", dim, {"city": FieldType.KEYWORD})
    rng = np.random.default_rng(0)
    v = rng.standard_normal((n, dim)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    ids = [str(uuid.UUID(int=i + 1)) for i in range(n)]
    for start in range(0, n, 1000):
        s.upsert("c", [StoredPoint(ids[i], {"city": "paris"}, v[i].tolist()) for i in range(start, start + 1000)])
    s.optimize("c")
    for i in ids:
        s.set_payload("c", i, {"city": "lyon"})
    engine = s._shard("c").info()
    assert engine.indexed_vectors_count == engine.points_count == n  # what the engine reports: all indexed
    s.close()

    again = EdgeStore(tmp_path, optimize_after_writes=1)
    again.ensure_collection("c", dim, {"city": FieldType.KEYWORD})
    again.set_payload("c", ids[0], {"city": "nice"})  # the next write: the moved points are worth a build
    again.wait_idle()
    assert (tmp_path / "collections" / "c.current").read_text().strip() == "c@1"
    assert again.count("c", Filter(must=[Match("city", "lyon")])) == n - 1
    assert again.search("c", v[5].tolist(), None, 1)[0].id == ids[5]
    again.close()


def test_a_replaced_shard_gives_its_memory_back(store, monkeypatch):
    """The C library keeps what a closed shard freed unless asked to return it (`_trim`)."""
    trimmed: list[bool] = []
    monkeypatch.setattr(edge, "_trim", lambda: trimmed.append(True))
    build_started(store, "c")
    store.wait_idle()
    deadline = time.monotonic() + 10
    while not trimmed and time.monotonic() < deadline:  # once the replaced shard is retired
        time.sleep(0.05)
    assert trimmed
    if (trim := edge._malloc_trim()) is not None:
        assert trim(0) in (0, 1)  # the real call works here
