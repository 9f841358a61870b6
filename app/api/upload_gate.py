"""At most `max_uploads` import uploads are received at once; the next one is told 429 before any byte of
its body is read (the multipart parser spools a whole upload to disk before the route runs)."""

import threading

from app.api.errors import send_error


class UploadGate:
    """Pure ASGI, for `POST {path}`: counts uploads in flight, refuses past the limit with Retry-After."""

    def __init__(self, app, max_uploads: int, path: str = "/v1/imports"):
        self.app = app
        self.max_uploads = max_uploads
        self.path = path
        self._lock = threading.Lock()
        self._in_flight = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            return await self.app(scope, receive, send)
        with self._lock:
            admitted = self._in_flight < self.max_uploads
            if admitted:
                self._in_flight += 1
        if not admitted:
            await send_error(
                send,
                429,
                "too_many_uploads",
                f"{self.max_uploads} import uploads are being received already; try again in a few "
                "seconds (JOBMATCH_MAX_CONCURRENT_UPLOADS).",
                {"max_concurrent_uploads": self.max_uploads},
                headers=((b"retry-after", b"5"), (b"connection", b"close")),
            )
            return
        try:
            return await self.app(scope, receive, send)
        finally:
            with self._lock:
                self._in_flight -= 1
