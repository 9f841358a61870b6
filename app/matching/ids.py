"""Ids the service hands out are UUIDs; anything else cannot exist, so it is a 404, not a store error."""

import uuid

from app.errors import NotFound


def parse_id(value: str, noun: str) -> str:
    """The canonical UUID string, or NotFound naming what was looked for."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        raise NotFound(f"No {noun} with id {value!r}: ids are UUIDs as returned on creation.") from None
