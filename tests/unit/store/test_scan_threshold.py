"""The search-time full-scan threshold (`StoreLayout.scan_max_points`, JOBMATCH_HNSW_SCAN_MAX_POINTS) is
written into each built index of the embedded engine on start and after each background build, the engine
then scans the filtered points instead of walking the graph, and a start without the setting restores the
threshold the index was built with."""

import dataclasses
import json
import uuid
from pathlib import Path

import numpy as np
import pytest
import qdrant_edge as qe

import app.store.edge as edge
from app.settings import Settings
from app.store.base import FieldType, StoredPoint, StoreLayout
from app.store.conditions import Filter, Match
from app.store.edge import EdgeStore
from app.store.scan_threshold import set_scan_threshold

DIM = 16
N = 6000
# a sparse graph, links for every payload value above 16 points (1 KB of 16 float32 dimensions), searched shallow
BUILT = StoreLayout("int8", 4.0, hnsw_m=4, hnsw_ef_construct=4, hnsw_ef=4, full_scan_kb=1)
COMMON = Filter(must=[Match("k", "common")])  # 98% of the points


@pytest.fixture(autouse=True)
def small_segments_get_an_index(monkeypatch):
    """The engine indexes segments above 10 MB of vectors; these have 375 KB."""
    config = edge._layout_config

    def indexed_early(layout, **vectors):
        c = config(layout, **vectors)
        return qe.EdgeConfig(
            **vectors,
            on_disk_payload=layout.payload_on_disk,
            hnsw_config=c.hnsw_config,
            quantization_config=c.quantization_config,
            optimizers=qe.EdgeOptimizersConfig(indexing_threshold=1),
        )

    monkeypatch.setattr(edge, "_layout_config", indexed_early)


def thresholds(store: EdgeStore, name: str = "c") -> list[int]:
    files = sorted(store._path(name).glob("segments/*/vector_index/hnsw_config.json"))
    return [json.loads(f.read_text())["full_scan_threshold"] for f in files]


def filled(tmp_path: Path, layout: StoreLayout) -> tuple[EdgeStore, np.ndarray]:
    store = EdgeStore(tmp_path, optimize_after_writes=10**9, layout=layout)
    store.ensure_collection("c", DIM, {"k": FieldType.KEYWORD})
    vecs = np.random.default_rng(3).normal(size=(N, DIM)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    store.upsert(
        "c",
        [
            StoredPoint(str(uuid.UUID(int=i + 1)), {"k": "rare" if i % 50 == 0 else "common"}, v.tolist())
            for i, v in enumerate(vecs)
        ],
    )
    return store, vecs


def recall(store: EdgeStore, vecs: np.ndarray) -> float:
    found = []
    for q in vecs[:60]:
        got = [h.id for h in store.search("c", q.tolist(), COMMON, 10)]
        truth = [h.id for h in store.search("c", q.tolist(), COMMON, 10, exact=True)]
        found.append(len(set(got) & set(truth)) / 10)
    return float(np.mean(found))


def reopened(tmp_path: Path, layout: StoreLayout) -> EdgeStore:
    store = EdgeStore(tmp_path, optimize_after_writes=10**9, layout=layout)
    store.ensure_collection("c", DIM, {"k": FieldType.KEYWORD})
    return store


def test_the_engine_scans_below_the_written_threshold_and_a_restart_without_it_restores_the_build(tmp_path):
    store, vecs = filled(tmp_path, BUILT)
    store.optimize("c")
    assert thresholds(store) == [16]  # 1 KB over 64 bytes a vector: what the engine wrote at build
    on_graph = recall(store, vecs)
    assert on_graph < 0.95  # a shallow graph search misses some of the nearest (the graph, not a scan)
    store.close()

    store = reopened(tmp_path, dataclasses.replace(BUILT, scan_max_points=N))
    assert thresholds(store) == [N]
    assert recall(store, vecs) >= 0.99  # every passing point scanned (int8), the best rescored
    store.close()

    store = reopened(tmp_path, BUILT)  # the setting taken away: the build's threshold again
    assert thresholds(store) == [16]
    assert recall(store, vecs) == on_graph
    store.close()


def test_a_background_build_writes_the_threshold_before_its_shard_takes_over(tmp_path):
    store, vecs = filled(tmp_path, dataclasses.replace(BUILT, scan_max_points=N))
    store.retire_after_s = 0.05
    with store.bulk_load("c"):
        pass
    store.wait_idle()
    assert "@" in store._path("c").name and thresholds(store) == [N]
    assert recall(store, vecs) >= 0.99  # scanned
    store.close()


def test_an_index_configuration_not_as_expected_is_left_alone(tmp_path):
    segment = tmp_path / "segments" / "s1"
    (segment / "vector_index").mkdir(parents=True)
    odd = segment / "vector_index" / "hnsw_config.json"
    for text in ("not json", '{"m": 16}', '{"full_scan_threshold": "many"}'):
        odd.write_text(text)
        assert set_scan_threshold(tmp_path, 1000) == 0
        assert odd.read_text() == text
    odd.write_text('{"m":16,"full_scan_threshold":6666}')
    assert set_scan_threshold(tmp_path, None) == 0  # no segment.json: the build's value is not known
    assert set_scan_threshold(tmp_path, 1000) == 1
    assert json.loads(odd.read_text()) == {"m": 16, "full_scan_threshold": 1000}
    assert set_scan_threshold(tmp_path, 1000) == 0  # already so: not written again


def test_the_environment_sets_it(monkeypatch):
    monkeypatch.setenv("JOBMATCH_HNSW_SCAN_MAX_POINTS", "100000")
    assert Settings().store_layout().scan_max_points == 100_000
    monkeypatch.delenv("JOBMATCH_HNSW_SCAN_MAX_POINTS")
    assert Settings().store_layout().scan_max_points is None
