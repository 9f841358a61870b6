"""Capped segments (`StoreLayout.max_segment_kb`): the embedded store indexes each segment as it fills, also
within a bulk load, and writes wait while a build runs once a quarter segment was written since it began, so
the unindexed segment (held largely in RAM by the engine) never grows with the collection."""

import uuid

import numpy as np

import app.store.edge as edge
from app.store.base import FieldType, StoredPoint, StoreLayout
from app.store.edge import EdgeStore


def points(n: int, dim: int, start: int = 0) -> list[StoredPoint]:
    rng = np.random.default_rng(start)
    v = rng.standard_normal((n, dim)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return [StoredPoint(str(uuid.UUID(int=start + i + 1)), {"i": start + i}, v[i].tolist()) for i in range(n)]


def test_segment_points_follow_the_cap():
    assert StoreLayout().segment_points(384) is None
    assert StoreLayout(max_segment_kb=393_216).segment_points(384) == 262_144  # 384 MB of float32 vectors


def test_a_bulk_load_is_indexed_segment_by_segment_and_waits_for_the_builds(tmp_path, monkeypatch):
    store = EdgeStore(tmp_path, optimize_after_writes=10**9, layout=StoreLayout(max_segment_kb=10))
    store.retire_after_s = 0.05
    store.ensure_collection("c", 16, {"city": FieldType.KEYWORD})
    cap, batch = store._segment_points("c"), 40
    assert cap == 160
    started: list[int] = []
    rebuild = store._rebuild

    during: list[int] = []

    def counted(name: str) -> None:
        started.append(store._unindexed[name])
        rebuild(name)
        during.append(store._unindexed[name])  # written while it ran (replayed on the copy)

    monkeypatch.setattr(store, "_rebuild", counted)
    monkeypatch.setattr(edge, "_BUILD", "import time\ntime.sleep(0.3)\n" + edge._BUILD)  # slower than the writes
    warmed: list[str] = []
    monkeypatch.setattr(store, "_warm_up", lambda name, path: warmed.append(path.name))
    most = 0
    pts = points(1000, 16)
    with store.bulk_load("c"):
        for k in range(0, len(pts), batch):
            store.upsert("c", pts[k : k + batch])
            most = max(most, store._unindexed["c"])
    store.wait_idle()
    assert most < cap + batch  # the unindexed segment never grew past a full one while builds ran
    backlog = int(cap * edge._BACKLOG)
    assert max(during) < backlog + batch and max(during) >= backlog  # a build let a quarter segment in, no more
    assert len(started) >= 1000 // (cap + batch)  # builds ran within the bulk load, not once at its end
    assert all(n >= cap for n in started[:-1])  # each started on a full segment (the last: the bulk load's end)
    assert store._unindexed["c"] == 0 and not store._owed  # the bulk load's end was built after the last one
    assert warmed == [f"c@{len(started)}"]  # only the shard that stays is mapped and read into the page cache
    assert store.count("c") == 1000
    assert store.search("c", pts[777].vector, None, 1)[0].id == pts[777].id
    store.close()


def test_without_a_cap_a_bulk_load_builds_once(tmp_path, monkeypatch):
    store = EdgeStore(tmp_path, optimize_after_writes=10**9)
    store.ensure_collection("c", 16, {"city": FieldType.KEYWORD})
    started: list[int] = []
    rebuild = store._rebuild
    monkeypatch.setattr(store, "_rebuild", lambda name: (started.append(store._unindexed[name]), rebuild(name)))
    with store.bulk_load("c"):
        for k in range(0, 1000, 40):
            store.upsert("c", points(40, 16, start=k))
    store.wait_idle()
    assert started == [1000]
    store.close()


def test_the_engine_keeps_each_built_segment(tmp_path):
    """Real segments: 384 dimensions, a cap of 10 MB (6,826 points; the engine indexes segments of 10 MB up)."""
    layout = StoreLayout(max_segment_kb=10_240)
    store = EdgeStore(tmp_path, layout=layout)
    store.ensure_collection("c", 384, {"city": FieldType.KEYWORD})
    pts = points(16_000, 384)
    with store.bulk_load("c"):
        for k in range(0, len(pts), 500):
            store.upsert("c", pts[k : k + 500])
    store.wait_idle(600)
    info = store._shard("c").info()
    assert info.points_count == 16_000
    assert info.indexed_vectors_count >= 2 * layout.segment_points(384)  # type: ignore[operator]
    assert info.segments_count >= 3  # two full segments indexed apart, the rest after them
    assert store.search("c", pts[12_345].vector, None, 1)[0].id == pts[12_345].id
    store.close()
    again = EdgeStore(tmp_path, layout=layout)  # a restart keeps the segments and the cap
    again.ensure_collection("c", 384, {"city": FieldType.KEYWORD})
    assert again._shard("c").info().segments_count == info.segments_count
    again.close()
