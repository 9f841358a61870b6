"""A real service on loopback (uvicorn in a thread, the session's real encoder, the embedded store) and
headless Debian Chromium driven by Playwright. Screenshots go to $JOBMATCH_TEST_ARTIFACTS (default
test-artifacts/) so a CI run can keep them."""

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from app.main import create_app
from app.settings import Settings

CHROMIUM = Path(os.environ.get("JOBMATCH_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("JOBMATCH_TEST_ARTIFACTS", Path(__file__).parents[2] / "test-artifacts"))
# the flags the machine's closed network needs: no background fetches, no sandbox as root
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]' brings playwright")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `apt-get install chromium` (.ci/run installs it)")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def service(tmp_path, encoder) -> Iterator[str]:
    """The service with API keys on, so the page's key handling is part of what is tested."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(data_dir=tmp_path / "data", api_keys="ui-test-key")
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, encoder=encoder), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the service did not start in 60 s"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture
def shoot() -> callable:
    """shoot(page, name) saves a full-page PNG under the artifacts folder and returns its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def _shoot(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shoot
