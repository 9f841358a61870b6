"""What every resource shares: strict models, constrained types, pages, errors and bulk results."""

import json
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from app.store.payload_guard import payload_problem

MAX_METADATA_CHARS = 64 * 1024


def _cefr(level: Any) -> Any:
    """ "native" (any case) is C2; "c1" is C1."""
    if isinstance(level, str):
        level = level.strip()
        return "C2" if level.lower() == "native" else level.upper()
    return level


# what a client may send (the schema says so): a level in either case, or "native"; stored as A1..C2
CEFR_INPUT = Annotated[str, StringConstraints(pattern=r"^\s*([AaBbCc][12]|[Nn][Aa][Tt][Ii][Vv][Ee])\s*$")]
CEFR = Annotated[Literal["A1", "A2", "B1", "B2", "C1", "C2"], BeforeValidator(_cefr, json_schema_input_type=CEFR_INPUT)]
LangCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
ShortStr = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Skill = Annotated[str, StringConstraints(min_length=1, max_length=100)]
# no control characters (NUL, line breaks) and no bidirectional overrides, which make an id print as another
ExternalId = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=200,
        pattern=r"^[^\s\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]"
        r"([^\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]*[^\s\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069])?$",
    ),
]


T = TypeVar("T")


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)


def _storable(value: Any) -> Any:
    """Free-form metadata must come back exactly as sent: bounded depth, finite numbers, 64-bit integers."""
    if (problem := payload_problem(value)) is not None:
        raise ValueError(problem)
    if len(json.dumps(value, ensure_ascii=False)) > MAX_METADATA_CHARS:
        raise ValueError(f"metadata is larger than {MAX_METADATA_CHARS} characters as JSON; store large data elsewhere")
    return value


Metadata = Annotated[dict[str, Any], AfterValidator(_storable)]


class Page(BaseModel, Generic[T]):
    """One page of a list: the items, how many there are in all, and the page asked for."""

    items: list[T]
    total: int
    limit: int
    offset: int


class ItemError(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorResponse(BaseModel):
    """The one shape of every 4xx/5xx body."""

    error: ItemError


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": what}
    for status, what in (
        (400, "Malformed JSON (`malformed_json`) or a request the service cannot take (`bad_request`)."),
        (401, "Missing or invalid API key (`unauthorized`), when JOBMATCH_API_KEYS is set."),
        (404, "No such record (`not_found`)."),
        (
            409,
            "Conflict: an external_id held by another record, an unreadable record (`unreadable_record`), "
            "an import that has already ended.",
        ),
        (413, "Body larger than JOBMATCH_MAX_BODY_BYTES (or JOBMATCH_MAX_IMPORT_BYTES for imports)."),
        (422, "The request does not match the schema (`validation_error`); `details` lists each field."),
        (503, "The Qdrant server is unreachable (`store_unavailable`)."),
    )
}


class BulkItem(BaseModel):
    index: int
    id: str | None = None
    external_id: str | None = None
    created: bool | None = None
    error: ItemError | None = None


class BulkResponse(BaseModel):
    results: list[BulkItem]
    accepted: int
    rejected: int


class BulkDeleteRequest(Strict):
    ids: list[Annotated[str, StringConstraints(max_length=64)]] = Field(
        default_factory=list, max_length=1000, description="The service's ids."
    )
    external_ids: list[ExternalId] = Field(default_factory=list, max_length=1000, description="Your own ids.")


class DeletedItem(BaseModel):
    id: str | None = None
    external_id: str | None = None
    deleted: bool = Field(description="False when no such record is yours: nothing happened to it.")


class BulkDeleteResponse(BaseModel):
    results: list[DeletedItem] = Field(description="One per id, then one per external_id, in the order sent.")
    deleted: int
    not_found: int
