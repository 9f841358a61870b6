"""The server backend turns an unreachable Qdrant into StoreUnavailable (HTTP 503)."""

import socket

import pytest

from app.api.errors import status_of
from app.errors import StoreUnavailable
from app.settings import Settings
from app.store import open_store
from app.store.edge import EdgeStore
from app.store.server import ServerStore


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket goes


def test_unreachable_server_fails_at_start_with_a_clear_error():
    url = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(StoreUnavailable) as exc:
        open_store(Settings(qdrant_url=url))
    assert url in exc.value.message and status_of(exc.value) == 503


def test_settings_pick_the_backend(tmp_path):
    embedded = open_store(Settings(data_dir=tmp_path))
    assert isinstance(embedded, EdgeStore)
    embedded.close()
    assert isinstance(open_store(Settings(qdrant_url=":memory:")), ServerStore)


def test_a_server_without_parametrised_rrf_falls_back_to_its_default_fusion():
    """Older Qdrant servers refuse `rrf: {k}` with a 4xx: hybrid search still answers, fused by RRF."""
    import httpx
    from qdrant_client import QdrantClient, models
    from qdrant_client.http.exceptions import UnexpectedResponse

    from app.matching.lexical_vectors import Bm25Encoder
    from app.store.base import StoredPoint

    client = QdrantClient(":memory:")
    real = client.query_points

    def older_server(*args, query=None, **kwargs):
        if isinstance(query, models.RrfQuery):
            raise UnexpectedResponse(
                400, "Bad Request", b'{"status": {"error": "unknown variant rrf"}}', httpx.Headers()
            )
        return real(*args, query=query, **kwargs)

    client.query_points = older_server
    store = ServerStore(client)
    store.ensure_collection("c", 2, {}, sparse=True)
    bm25 = Bm25Encoder()
    store.upsert(
        "c",
        [
            StoredPoint("00000000-0000-0000-0000-000000000001", {}, [1.0, 0.0], bm25.document("nurse")),
            StoredPoint("00000000-0000-0000-0000-000000000002", {}, [0.0, 1.0], bm25.document("welder")),
        ],
    )
    hits = store.hybrid("c", [0.0, 1.0], bm25.query("nurse"), None, 2)
    assert {h.id[-1] for h in hits} == {"1", "2"} and max(hits, key=lambda h: h.lexical).id.endswith("1")
