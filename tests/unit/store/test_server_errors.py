"""The server backend turns an unreachable Qdrant into StoreUnavailable (HTTP 503)."""

import socket

import pytest

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
    assert url in exc.value.message and exc.value.status == 503


def test_settings_pick_the_backend(tmp_path):
    embedded = open_store(Settings(data_dir=tmp_path))
    assert isinstance(embedded, EdgeStore)
    embedded.close()
    assert isinstance(open_store(Settings(qdrant_url=":memory:")), ServerStore)
