"""The store layout (quantization, what lives on disk, HNSW, shards and replicas) goes from the
environment to collection creation, on the embedded engine and on a Qdrant server, and a quantized
index still finds what exact search finds."""

import json
import uuid

import numpy as np
from qdrant_client import QdrantClient

from app.settings import Settings
from app.store.base import FieldType, StoredPoint, StoreLayout
from app.store.edge import EdgeStore
from app.store.server import ServerStore

CLUSTER = {
    "JOBMATCH_STORE_QUANTIZATION": "int8",
    "JOBMATCH_STORE_OVERSAMPLING": "3",
    "JOBMATCH_STORE_VECTORS_ON_DISK": "true",
    "JOBMATCH_STORE_PAYLOAD_ON_DISK": "true",
    "JOBMATCH_HNSW_M": "24",
    "JOBMATCH_HNSW_EF_CONSTRUCT": "200",
    "JOBMATCH_HNSW_EF": "128",
    "JOBMATCH_SHARD_NUMBER": "6",
    "JOBMATCH_REPLICATION_FACTOR": "2",
    "JOBMATCH_WRITE_CONSISTENCY_FACTOR": "2",
}


def test_the_environment_sets_the_layout(monkeypatch):
    for k, v in CLUSTER.items():
        monkeypatch.setenv(k, v)
    assert Settings().store_layout() == StoreLayout("int8", 3.0, True, True, 24, 200, 128, False, None, 6, 2, 2)
    for k in CLUSTER:
        monkeypatch.delenv(k)
    assert Settings().store_layout() == StoreLayout()  # nothing set: the engine's defaults


class RecordingClient(QdrantClient):
    """qdrant-client's local mode (which ignores shards and replicas), remembering what it was asked."""

    created: dict = {}

    def create_collection(self, collection_name, **kwargs):
        RecordingClient.created[collection_name] = kwargs
        return super().create_collection(collection_name, **kwargs)


def test_a_server_collection_is_created_with_shards_replicas_and_quantization(monkeypatch):
    for k, v in CLUSTER.items():
        monkeypatch.setenv(k, v)
    store = ServerStore(RecordingClient(location=":memory:"), "jm_", ":memory:", Settings().store_layout())
    store.ensure_collection("candidates", 8, {"tenant": FieldType.TENANT}, sparse=True)
    asked = RecordingClient.created["jm_candidates"]
    assert (asked["shard_number"], asked["replication_factor"], asked["write_consistency_factor"]) == (6, 2, 2)
    assert asked["quantization_config"].scalar.type.value == "int8" and asked["quantization_config"].scalar.always_ram
    assert asked["vectors_config"].on_disk is True and asked["on_disk_payload"] is True
    assert (asked["hnsw_config"].m, asked["hnsw_config"].ef_construct) == (24, 200)
    assert store.search_params.quantization.rescore and store.search_params.quantization.oversampling == 3.0
    assert store.search_params.hnsw_ef == 128
    assert "bm25" in asked["sparse_vectors_config"]


def test_the_embedded_engine_keeps_the_layout_and_still_finds_what_exact_search_finds(tmp_path):
    layout = StoreLayout("int8", 2.0, True, True, 16, 100, 64)
    store = EdgeStore(tmp_path, optimize_after_writes=10**9, layout=layout)
    store.ensure_collection("c", 32, {"k": FieldType.KEYWORD}, sparse=True)
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(12_000, 32)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    for start in range(0, len(vecs), 2000):
        store.upsert(
            "c",
            [
                StoredPoint(str(uuid.UUID(int=i + 1)), {"k": "a" if i % 2 else "b"}, vecs[i].tolist())
                for i in range(start, start + 2000)
            ],
        )
    store.optimize("c")
    config = json.loads((store._path("c") / "edge_config.json").read_text())
    assert config["quantization_config"]["scalar"] == {"type": "int8", "quantile": 0.99, "always_ram": True}
    assert config["vectors"][""]["on_disk"] is True and config["on_disk_payload"] is True
    assert (config["hnsw_config"]["m"], config["hnsw_config"]["ef_construct"]) == (16, 100)
    recall = []
    for q in vecs[:50]:
        got = {h.id for h in store.search("c", q.tolist(), None, 10)}
        truth = {h.id for h in store.search("c", q.tolist(), None, 10, exact=True)}
        recall.append(len(got & truth) / 10)
    assert np.mean(recall) >= 0.9
    store.close()
    reopened = EdgeStore(tmp_path, optimize_after_writes=10**9)  # no layout given: the shard keeps its own
    reopened.ensure_collection("c", 32, {"k": FieldType.KEYWORD}, sparse=True)
    assert json.loads((reopened._path("c") / "edge_config.json").read_text())["quantization_config"]
    assert len(reopened.search("c", vecs[0].tolist(), None, 10)) == 10
    reopened.close()


def test_a_store_with_a_layout_reopens_with_that_layout(tmp_path):
    """The service restarts with the same settings: loading a shard must take the layout, not refuse it."""
    layout = StoreLayout("int8", 2.0, True, True)
    vecs = np.random.default_rng(1).normal(size=(300, 32)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    store = EdgeStore(tmp_path, optimize_after_writes=10**9, layout=layout)
    store.ensure_collection("c", 32, {"k": FieldType.KEYWORD}, sparse=True)
    store.upsert("c", [StoredPoint(str(uuid.UUID(int=i + 1)), {"k": "a"}, v.tolist()) for i, v in enumerate(vecs)])
    store.close()
    for again in (layout, StoreLayout("int8", 2.0, True, True, hnsw_ef=64)):
        reopened = EdgeStore(tmp_path, optimize_after_writes=10**9, layout=again)
        reopened.ensure_collection("c", 32, {"k": FieldType.KEYWORD}, sparse=True)
        config = json.loads((reopened._path("c") / "edge_config.json").read_text())
        assert config["quantization_config"] and config["vectors"][""]["on_disk"] is True
        assert "bm25" in config["sparse_vectors"]
        assert reopened.count("c") == 300
        assert reopened.search("c", vecs[7].tolist(), None, 1)[0].id == str(uuid.UUID(int=8))
        reopened.close()
