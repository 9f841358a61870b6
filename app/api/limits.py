"""Reject oversized bodies (413) before anything reads or parses them."""

from starlette.exceptions import HTTPException

from app.api.errors import send_error


class BodyLimitMiddleware:
    """Pure ASGI: checks Content-Length up front, and counts streamed bytes when it is absent.

    `larger` gives some path prefixes their own limit and setting name (file imports)."""

    def __init__(self, app, max_bytes: int, larger: dict[str, tuple[int, str]] | None = None):
        self.app = app
        self.default = (max_bytes, "JOBMATCH_MAX_BODY_BYTES")
        self.larger = larger or {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        max_bytes, setting = next((v for p, v in self.larger.items() if scope["path"].startswith(p)), self.default)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > max_bytes):
            return await _reject(send, max_bytes, setting)
        seen = 0
        started = False

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    raise _TooLarge(max_bytes, setting)
            return message

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _reject(send, max_bytes, setting)


async def _reject(send, max_bytes: int, setting: str):
    await send_error(send, 413, "payload_too_large", _message(max_bytes, setting), {"max_bytes": max_bytes})


class _TooLarge(HTTPException):
    """An HTTPException, so FastAPI's body parsing passes it through to the one error handler."""

    def __init__(self, max_bytes: int, setting: str):
        super().__init__(413, _message(max_bytes, setting))


def _message(max_bytes: int, setting: str) -> str:
    return f"Request body is larger than {max_bytes} bytes ({setting}); split it up."
