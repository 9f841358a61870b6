"""Domain exceptions: what went wrong, as a stable code and a message a person can act on.

The core raises these and knows nothing of HTTP; `app/api/errors.py` maps each code to a status and
turns every error into the one JSON error shape."""

from typing import Any


class DomainError(Exception):
    """Base of every error the core raises on purpose."""

    code = "bad_request"

    def __init__(self, message: str, details: Any = None, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details
        self.code = code or self.code


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class InvalidInput(DomainError):
    """The input does not match what the call takes (`malformed_json` when it cannot even be read)."""

    code = "validation_error"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


class TooManyRequests(DomainError):
    code = "too_many_requests"


class StoreUnavailable(DomainError):
    code = "store_unavailable"


class ModelMismatch(DomainError):
    code = "model_mismatch"


class UnreadableRecord(DomainError):
    """A stored point whose payload the engine cannot decode (written before payloads were bounded)."""

    code = "unreadable_record"


class UnsupportedFormat(DomainError):
    code = "unsupported_format"


class Unauthorized(DomainError):
    code = "unauthorized"


class Forbidden(DomainError):
    code = "forbidden"
