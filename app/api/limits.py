"""Reject oversized bodies (413) before anything reads or parses them."""

import json

from starlette.exceptions import HTTPException

from app.errors import error_body


class BodyLimitMiddleware:
    """Pure ASGI: checks Content-Length up front, and counts streamed bytes when it is absent."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await self._reject(send)
        seen = 0
        started = False

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge(self.max_bytes)
            return message

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._reject(send)

    async def _reject(self, send):
        body = json.dumps(error_body(
            "payload_too_large",
            _message(self.max_bytes),
            {"max_bytes": self.max_bytes},
        )).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(HTTPException):
    """An HTTPException, so FastAPI's body parsing passes it through to the one error handler."""

    def __init__(self, max_bytes: int):
        super().__init__(413, _message(max_bytes))


def _message(max_bytes: int) -> str:
    return f"Request body is larger than {max_bytes} bytes (JOBMATCH_MAX_BODY_BYTES); split it up."
