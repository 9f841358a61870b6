"""The recruiter page: static files shipped in the package, served at /ui (no CDN, works offline)."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def mount_ui(app: FastAPI, path: str = "/ui") -> None:
    """Serve the page; it calls the /v1 API with the key the recruiter enters once per browser session."""
    # a fixed Location: the Host header is never echoed (trailing-slash redirects are off app-wide)
    app.add_api_route(path, lambda: RedirectResponse(f"{path}/", status_code=308), include_in_schema=False)
    app.mount(path, StaticFiles(directory=STATIC, html=True), name="ui")
