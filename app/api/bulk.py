"""Shared handling of bulk uploads: parse, validate per item, store the valid ones, report all."""

from collections.abc import Callable

from fastapi import Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from app.api.present import validate_items
from app.api.schemas import BulkItem, BulkResponse
from app.domain import Kind
from app.encoder.priority import bulk_work
from app.errors import InvalidInput
from app.ingest.parsers import parse_records
from app.matching.records import Records


async def bulk_upload(
    request: Request, kind: Kind, model: type[BaseModel], records: Records, max_items: int, tenant: str
) -> BulkResponse:
    def put_many(docs: list[dict]) -> list[tuple]:
        with bulk_work():  # a batch yields the encoder to interactive requests between its slices
            return records.put_many(kind, docs, tenant=tenant)

    return await bulk_store(request, model, put_many, max_items)


async def bulk_store(
    request: Request, model: type[BaseModel], put_many: Callable[[list[dict]], list[tuple]], max_items: int
) -> BulkResponse:
    """Parse, validate each item, store the valid ones with `put_many` -> [(stored, created)], report all.
    Stored objects need `.id` and `.doc`."""
    items = parse_records(await request.body(), request.headers.get("content-type"))
    if not items:
        raise InvalidInput("The body holds no records.")
    if len(items) > max_items:
        raise InvalidInput(
            f"{len(items)} records in one call; the limit is {max_items} (JOBMATCH_MAX_BULK_ITEMS). Split the upload."
        )
    valid, errors = validate_items(items, model)
    stored = await run_in_threadpool(put_many, [doc for _, doc in valid])
    results = errors + [
        BulkItem(index=i, id=obj.id, external_id=obj.doc.get("external_id"), created=created)
        for (i, _), (obj, created) in zip(valid, stored)
    ]
    results.sort(key=lambda r: r.index)
    return BulkResponse(results=results, accepted=len(stored), rejected=len(errors))


def bulk_openapi(model: type[BaseModel]) -> dict:
    """Document the raw body (JSON array or NDJSON) that the bulk routes read themselves."""
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "array", "items": ref}},
                "application/x-ndjson": {"schema": {"type": "string", "description": "one JSON object per line"}},
            },
        }
    }
