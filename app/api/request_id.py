"""Every request has an id: the client's `X-Request-ID` when it sends a sane one, else a new one. It is
returned in the response header and written into every log line made while the request is served
(`RequestIdFilter`), so a support ticket's id finds its log lines."""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar

from app.api.paths import template_of
from app.metrics import HTTP_SECONDS

HEADER = b"x-request-id"
_SANE = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")
_current: ContextVar[str] = ContextVar("request_id", default="-")
log = logging.getLogger("app.http")


class RequestIdMiddleware:
    """Pure ASGI: sets the id before anything else runs, adds it to the response head, and logs one line
    per request (method, path, status, milliseconds)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = dict(scope.get("headers") or []).get(HEADER, b"").decode("latin-1")
        rid = given if _SANE.match(given) else uuid.uuid4().hex
        token = _current.set(rid)
        started, status = time.perf_counter(), [0]

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                message = {**message, "headers": [*headers, (HEADER, rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            log.info("%s %s %d %.1f ms", scope["method"], scope["path"], status[0], seconds * 1000)
            HTTP_SECONDS.labels(scope["method"], route_of(scope), str(status[0])).observe(seconds)
            _current.reset(token)


def route_of(scope) -> str:
    """The route template ("/v1/jobs/{job_id}"), so ids do not make a series each; "unmatched" for a 404."""
    app = scope.get("app")
    return (template_of(app, scope["path"])[0] if app is not None else None) or "unmatched"


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request, e.g. the import worker)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request_id, message (and the exception, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure_logging(json_lines: bool = False) -> None:
    """The root handler: request ids on every line; JSON lines when asked (JOBMATCH_LOG_JSON)."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
