"""The store layout (quantization, what lives on disk, HNSW, shards and replicas) goes from the
environment to collection creation, on the embedded engine and on a Qdrant server, and a quantized
index still finds what exact search finds; each search is planned by its filter's selectivity."""

import dataclasses
import json
import time
import uuid
from pathlib import Path

import numpy as np
from qdrant_client import QdrantClient

from app.settings import Settings
from app.store.base import FieldType, StoredPoint, StoreLayout
from app.store.conditions import Filter, Match
from app.store.edge import EdgeStore, to_edge_filter
from app.store.server import ServerStore, to_client_filter

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
    "JOBMATCH_HNSW_EXACT_MAX_POINTS": "50000",
    "JOBMATCH_STORE_MAX_SEGMENT_KB": "393216",
}


def test_the_environment_sets_the_layout(monkeypatch):
    for k, v in CLUSTER.items():
        monkeypatch.setenv(k, v)
    expected = StoreLayout(
        "int8", 3.0, True, True, 24, 200, 128, False, None, 6, 2, 2, exact_max_points=50_000, max_segment_kb=393_216
    )
    assert Settings().store_layout() == expected
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
    assert asked["optimizers_config"].max_segment_size == 393_216  # the server's segments, capped alike
    params = store.search_params("jm_candidates", None)
    assert params.quantization.rescore and params.quantization.oversampling == 3.0
    assert params.hnsw_ef == 128 and params.acorn is None
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


def test_the_plan_uses_acorn_only_for_restrictive_filters():
    layout = StoreLayout(hnsw_ef=1024, acorn=True, acorn_ef=256, acorn_max_selectivity=0.2)
    assert layout.plan(0.05) == (256, True, False)
    assert layout.plan(0.2) == (256, True, False)
    assert layout.plan(0.5) == (1024, False, False)
    assert layout.plan(None) == (1024, False, False)  # no filter, or no estimate
    assert StoreLayout(hnsw_ef=64).plan(0.01) == (64, False, False)  # ACORN off: one depth for every search
    assert StoreLayout(hnsw_ef=64, acorn=True).plan(0.01) == (64, True, False)  # no ACORN depth of its own


def test_the_plan_scores_few_passing_points_exactly():
    layout = StoreLayout(hnsw_ef=512, acorn=True, acorn_ef=256, acorn_max_selectivity=0.2, exact_max_points=60_000)
    assert layout.plan(0.05, 1_000_000).exact  # 50,000 points pass
    assert layout.plan(0.07, 1_000_000) == (256, True, False)  # 70,000: ACORN
    assert layout.plan(0.5, 100_000).exact
    assert layout.plan(0.5, 1_000_000) == (512, False, False)
    assert not layout.plan(None, 1_000_000).exact  # no filter: the graph
    assert not StoreLayout(hnsw_ef=512).plan(0.001, 1_000_000).exact  # unset: never


def _filled(store, n=4000):
    store.ensure_collection("c", 16, {"k": FieldType.KEYWORD})
    vecs = np.random.default_rng(2).normal(size=(n, 16)).astype(np.float32)
    # k = "rare" for 2% of the points, "common" for the rest
    store.upsert(
        "c",
        [
            StoredPoint(str(uuid.UUID(int=i + 1)), {"k": "rare" if i % 50 == 0 else "common"}, v.tolist())
            for i, v in enumerate(vecs)
        ],
    )
    return vecs


def test_the_embedded_store_plans_each_search_by_the_filter_it_gets(tmp_path):
    layout = StoreLayout(hnsw_ef=512, acorn=True, acorn_ef=128, acorn_max_selectivity=0.2)
    store = EdgeStore(tmp_path, optimize_after_writes=10**9, layout=layout)
    vecs = _filled(store)
    rare = to_edge_filter(Filter(must=[Match("k", "rare")]))
    common = to_edge_filter(Filter(must=[Match("k", "common")]))
    assert (store._params("c", rare).hnsw_ef, store._params("c", rare).acorn.enable) == (128, True)
    assert (store._params("c", common).hnsw_ef, store._params("c", common).acorn) == (512, None)
    assert store._params("c", None).acorn is None
    hits = store.search("c", vecs[0].tolist(), Filter(must=[Match("k", "rare")]), 5)
    assert len(hits) == 5 and all(h.payload["k"] == "rare" for h in hits)
    store.layout = dataclasses.replace(layout, exact_max_points=100)  # the 80 rare points: exact
    assert store._params("c", rare).exact is True
    assert store._params("c", common).exact is not True and store._params("c", common).hnsw_ef == 512
    exact = store.search("c", vecs[0].tolist(), Filter(must=[Match("k", "rare")]), 5)
    assert [h.id for h in exact] == [
        h.id for h in store.search("c", vecs[0].tolist(), Filter(must=[Match("k", "rare")]), 5, exact=True)
    ]
    store.close()


def test_the_server_store_plans_each_search_by_the_filter_it_gets():
    layout = StoreLayout(hnsw_ef=512, acorn=True, acorn_ef=128, acorn_max_selectivity=0.2)
    store = ServerStore(QdrantClient(location=":memory:"), "jm_", ":memory:", layout)
    _filled(store, 1000)
    rare = to_client_filter(Filter(must=[Match("k", "rare")]))
    common = to_client_filter(Filter(must=[Match("k", "common")]))
    assert (store.search_params("jm_c", rare).hnsw_ef, store.search_params("jm_c", rare).acorn.enable) == (128, True)
    assert store.search_params("jm_c", common).acorn is None
    assert store.search_params("jm_c", common).hnsw_ef == 512
    store.layout = dataclasses.replace(layout, exact_max_points=100)  # the 20 rare points: exact
    assert store.search_params("jm_c", rare).exact is True
    assert not store.search_params("jm_c", common).exact


def test_a_reopened_store_reads_its_files_into_the_page_cache_in_the_background(tmp_path):
    store = EdgeStore(tmp_path, optimize_after_writes=10**9)
    _filled(store, 500)
    assert store.info()["collections"]["c"]["warm_up"] is None  # a new shard: nothing to read
    store.close()
    reopened = EdgeStore(tmp_path, optimize_after_writes=10**9)
    reopened.ensure_collection("c", 16, {"k": FieldType.KEYWORD})
    deadline = time.monotonic() + 30
    while reopened.info()["collections"]["c"]["warm_up"] != "done" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert reopened.info()["collections"]["c"]["warm_up"] == "done"
    # every file with data stays mapped while the shard is open (a kernel that reclaims idle page cache
    # leaves mapped pages); the engine alone maps some of them
    shard = tmp_path / "collections" / "c"
    files = {str(f) for f in shard.rglob("*") if f.is_file() and f.stat().st_size and "wal" not in f.parts}
    assert files <= set(mapped_under(shard))
    reopened.close()
    assert not mapped_under(tmp_path)
    cold = EdgeStore(tmp_path, optimize_after_writes=10**9, layout=StoreLayout(warm_up=False))
    cold.ensure_collection("c", 16, {"k": FieldType.KEYWORD})
    assert cold.info()["collections"]["c"]["warm_up"] is None
    assert not files <= set(mapped_under(shard))
    cold.close()


def mapped_under(folder) -> list[str]:
    """Files under `folder` that this process maps (Linux)."""
    lines = Path("/proc/self/maps").read_text().splitlines()
    return [line.split()[-1] for line in lines if len(line.split()) >= 6 and line.split()[-1].startswith(str(folder))]


def test_order_only_fields_get_no_graph_links_also_in_an_older_store(tmp_path):
    """created_at / updated_at are listed by, never filtered on in a match: their index builds no graph
    links (a third of a 300k build's time). A store whose index has them is indexed again on open."""
    store = EdgeStore(tmp_path, optimize_after_writes=10**9)
    store.ensure_collection("c", 4, {"created_at": FieldType.FLOAT})  # as created before ORDER existed
    store.upsert(
        "c", [StoredPoint(str(uuid.UUID(int=i + 1)), {"created_at": float(-i)}, [1.0, 0, 0, 0]) for i in range(5)]
    )
    assert store._shard("c").info().payload_schema["created_at"].params is None  # the engine's default: links
    store.close()
    reopened = EdgeStore(tmp_path, optimize_after_writes=10**9)
    reopened.ensure_collection("c", 4, {"created_at": FieldType.ORDER})
    assert reopened._shard("c").info().payload_schema["created_at"].params.enable_hnsw is False
    listed = reopened.page("c", "created_at", 5, 0)
    assert [p.payload["created_at"] for p in listed] == [-4.0, -3.0, -2.0, -1.0, 0.0]
    reopened.close()


def test_a_server_indexes_order_only_fields_without_graph_links():
    asked = []

    class Recording(QdrantClient):
        def create_payload_index(self, collection_name, field_name, field_schema=None, **kwargs):
            asked.append((field_name, field_schema))
            return super().create_payload_index(collection_name, field_name, field_schema, **kwargs)

    store = ServerStore(Recording(location=":memory:"), "jm_", ":memory:", StoreLayout())
    store.ensure_collection("c", 4, {"created_at": FieldType.ORDER, "k": FieldType.KEYWORD})
    schema = dict(asked)
    assert schema["created_at"].enable_hnsw is False and schema["k"] == "keyword"
