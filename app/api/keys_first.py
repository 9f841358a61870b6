"""Check the API key before anything reads the body: an anonymous client cannot make the service
spool a 500 MB upload or parse a malformed body before it is told 401."""

from app.api.deps import check_key
from app.api.errors import send_error, status_of
from app.errors import Unauthorized
from app.settings import Settings


class KeyFirstMiddleware:
    """Pure ASGI, for paths under `prefix`; the route dependency checks again (and documents the scheme)."""

    def __init__(self, app, settings: Settings, prefix: str = "/v1"):
        self.app = app
        self.settings = settings
        self.prefix = prefix

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not self.settings.api_keys or not scope["path"].startswith(self.prefix):
            return await self.app(scope, receive, send)
        header = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
        try:
            check_key(header, self.settings)
        except Unauthorized as exc:
            await send_error(
                send,
                status_of(exc),
                exc.code,
                exc.message,
                headers=((b"www-authenticate", b"Bearer"), (b"connection", b"close")),
            )
            return
        return await self.app(scope, receive, send)
