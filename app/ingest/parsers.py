"""Parse request bodies that carry many records: a JSON array or NDJSON (one object per line)."""

import json
from typing import Any

from app.errors import InvalidInput

NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl", "application/json-lines")


def parse_records(body: bytes, content_type: str | None) -> list[Any]:
    """A list of raw items. Malformed NDJSON lines become `LineError` items, so one bad line
    does not reject the good ones; a malformed JSON array rejects the whole body."""
    ctype = (content_type or "application/json").split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("The body is not UTF-8 text.") from None
    if ctype in NDJSON_TYPES:
        return parse_ndjson(text)
    if ctype != "application/json":
        raise InvalidInput(
            f"Unsupported content type {ctype!r}: send application/json (an array) or "
            "application/x-ndjson (one object per line)."
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"The body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.", code="malformed_json"
        ) from None
    except (RecursionError, ValueError) as exc:  # nesting past Python's stack, integers past 4,300 digits
        raise InvalidInput(f"The body cannot be read: {_why(exc)}.", code="malformed_json") from None
    if not isinstance(data, list):
        raise InvalidInput("Expected a JSON array of records (or NDJSON with Content-Type application/x-ndjson).")
    return data


class LineError:
    """Stands in for an NDJSON line that is not JSON; reported per item."""

    def __init__(self, message: str):
        self.message = message


def parse_ndjson(text: str) -> list[Any]:
    items: list[Any] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as exc:
            items.append(LineError(f"line {lineno} is not valid JSON: {exc.msg}"))
        except (RecursionError, ValueError) as exc:
            items.append(LineError(f"line {lineno} cannot be read: {_why(exc)}"))
    return items


def _why(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "it is nested too deep"
    return "it holds a number too long to convert"
