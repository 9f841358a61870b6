"""The one place that turns any error into the JSON error shape and an HTTP status.

Every 4xx/5xx body is `{"error": {"code": ..., "message": ..., "details": ...}}`.
"""

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.paths import template_of
from app.errors import DomainError

log = logging.getLogger(__name__)

# a domain error's code -> its HTTP status (anything else is a plain 400)
STATUS = {
    "malformed_json": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "model_mismatch": 409,
    "unreadable_record": 409,
    "payload_too_large": 413,
    "unsupported_format": 415,
    "validation_error": 422,
    "too_many_requests": 429,
    "store_unavailable": 503,
}

_HTTP_CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def status_of(exc: DomainError) -> int:
    """By the error's own code, else by its class's (`too_many_imports` is a TooManyRequests: 429)."""
    return STATUS.get(exc.code) or STATUS.get(type(exc).code, 400)


def error_body(code: str, message: str, details: Any = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details}}


async def send_error(
    send: Any, status: int, code: str, message: str, details: Any = None, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    """The error body sent straight over ASGI, by a middleware that answers before any route runs."""
    body = json.dumps(error_body(code, message, details)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


def error_response(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status)


def domain_error_response(exc: DomainError) -> JSONResponse:
    return error_response(status_of(exc), exc.code, exc.message, exc.details)


def describe_validation_errors(errors: Any) -> list[dict]:
    """Pydantic errors as `{"field": "a.b", "message": ..., "type": ...}` without echoing huge inputs."""
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p != "body"]
        out.append({"field": ".".join(loc) or "(body)", "message": err.get("msg", ""), "type": err.get("type", "")})
    return out


def install_error_handlers(app: FastAPI) -> None:
    """Domain errors, schema errors, Starlette's own HTTP errors and anything unexpected: one shape."""

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError):
        return domain_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError):
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(
                400, "malformed_json", "The request body is not valid JSON.", describe_validation_errors(errors)
            )
        return error_response(
            422,
            "validation_error",
            "The request does not match the schema; see details.",
            describe_validation_errors(errors),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):  # FastAPI could not decode JSON
            return error_response(
                400,
                "malformed_json",
                "The request body is not valid JSON, is nested too deep or holds a number too long to read.",
                None,
            )
        response = error_response(exc.status_code, code, str(exc.detail), None)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        if exc.status_code == 405:  # Starlette names the methods of the first route on the path only
            response.headers["Allow"] = ", ".join(sorted(template_of(request.app, request.url.path)[1]))
        return response

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception):
        log.exception("unhandled error")
        return error_response(500, "internal_error", "Unexpected server error; it has been logged.", None)
