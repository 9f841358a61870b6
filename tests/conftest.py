"""Shared fixtures: one real encoder per test session, and apps on real stores in temp dirs."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# tests start with an empty occupation index; tests/api/test_reference_occupations.py loads sets on purpose
os.environ.setdefault("JOBMATCH_REFERENCE_OCCUPATIONS", "none")

import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402

import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from app.encoder.factory import build_encoder  # noqa: E402
from app.main import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402


@pytest.fixture(scope="session")
def encoder():
    """The real all-MiniLM-L6-v2, loaded once."""
    return build_encoder(Settings())


@pytest.fixture
def make_client(tmp_path, encoder) -> Callable:
    """`with make_client(**settings) as client:` — the real app on the embedded store in tmp_path."""

    @contextmanager
    def _make(**overrides) -> Iterator[TestClient]:
        settings = Settings(**{"data_dir": tmp_path / "data", **overrides})
        with TestClient(create_app(settings, encoder=encoder), raise_server_exceptions=False) as client:
            yield client

    return _make


@pytest.fixture
def client(make_client) -> Iterator[TestClient]:
    """A fresh app on an empty store: for tests that count or list what they stored."""
    with make_client() as c:
        yield c


@pytest.fixture(scope="session")
def shared_client(encoder, tmp_path_factory) -> Iterator[TestClient]:
    """One app for the whole session, for tests that need no isolation (refused input, headers, docs):
    building an app and its store costs about 1.5 s, and these tests are many."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("shared") / "data")
    with TestClient(create_app(settings, encoder=encoder), raise_server_exceptions=False) as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    """A real redis-server on loopback for this test (skipped without one: .ci/run installs it)."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("no redis-server: install Debian's redis-server (.ci/run does)")
    port = free_port()
    proc = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)
