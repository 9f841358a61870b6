"""The routes jobs and candidates share, made once per kind: create, bulk, list (or look up by your
external_id), read, replace, delete (by id or external_id), and matches of the other side."""

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query, Request, Response
from pydantic import BaseModel

from app.api.bulk import bulk_openapi, bulk_upload
from app.api.deps import MatcherDep, RecordsDep, SettingsDep, TenantDep
from app.api.present import record_matches, record_out, record_page
from app.api.schemas import (
    BulkDeleteRequest,
    BulkDeleteResponse,
    BulkResponse,
    DeletedItem,
    ExternalId,
    MatchRequest,
    MatchResponse,
)
from app.domain import Kind


def record_router(
    kind: Kind, doc_in: type[BaseModel], doc_out: type[BaseModel], page: type[BaseModel], noun: str, other: str
) -> APIRouter:
    """`noun`: "job" or "candidate"; `other`: what its matches are ("candidates" or "jobs")."""
    plural = f"{noun}s"
    id_name = f"{noun}_id"
    RecordId = Annotated[str, Path(alias=id_name, description=f"The service's id of the {noun}.")]
    Matching = Annotated[MatchRequest | None, Body()]
    router = APIRouter(prefix=f"/{plural}", tags=[plural])

    @router.post(
        "",
        response_model=doc_out,
        status_code=201,
        description=f"Store a {noun}; posting an external_id again updates that {noun} (200).",
        name=f"create_{noun}",
        responses={200: {"model": doc_out, "description": f"Updated: a {noun} with this external_id existed."}},
    )
    def create(doc: doc_in, records: RecordsDep, tenant: TenantDep, response: Response):  # type: ignore[valid-type]
        """Store a record, or update the one with this external_id."""
        rec, created = records.put_many(kind, [doc.model_dump(mode="json")], tenant=tenant)[0]  # type: ignore[attr-defined]
        response.status_code = 201 if created else 200
        return record_out(rec)

    @router.post(
        "/bulk",
        response_model=BulkResponse,
        openapi_extra=bulk_openapi(doc_in),
        description=f"Store up to JOBMATCH_MAX_BULK_ITEMS {plural} (JSON array or NDJSON); each item reports.",
        name=f"bulk_{plural}",
    )
    async def bulk(request: Request, records: RecordsDep, settings: SettingsDep, tenant: TenantDep):
        """Store many records; each item reports."""
        return await bulk_upload(request, kind, doc_in, records, settings.max_bulk_items, tenant)

    @router.post(
        "/delete",
        response_model=BulkDeleteResponse,
        name=f"delete_many_{plural}",
        description=f"Delete up to 1,000 {plural} at once, by the service's ids and/or your external_ids; "
        "each says whether it was deleted (unknown ids are reported, not errors).",
    )
    def delete_many(req: BulkDeleteRequest, records: RecordsDep, tenant: TenantDep):
        """Delete many by id and/or external_id; each reports."""
        results = [
            DeletedItem(id=rid, external_id=ext, deleted=deleted)
            for rid, ext, deleted in records.delete_many(kind, req.ids, req.external_ids, tenant)
        ]
        done = sum(r.deleted for r in results)
        return BulkDeleteResponse(results=results, deleted=done, not_found=len(results) - done)

    @router.get(
        "",
        response_model=page,
        description=f"{plural.capitalize()}, oldest first; or the one {noun} that carries an external_id.",
        name=f"list_{plural}",
    )
    def list_records(
        records: RecordsDep,
        tenant: TenantDep,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
        external_id: Annotated[
            ExternalId | None,
            Query(description=(f"Only the {noun} with this external_id (your own id): a page of one, or of none.")),
        ] = None,
        sort: Annotated[
            Literal["created_at", "updated_at"], Query(description="Order by creation or by last change.")
        ] = "created_at",
        order: Annotated[Literal["asc", "desc"], Query(description="asc: oldest first.")] = "asc",
    ):
        """A page of records, or the one with an external_id."""
        return record_page(records, kind, limit, offset, external_id, sort, order, tenant)

    @router.delete(
        "",
        status_code=204,
        description=f"Delete the {noun} that carries this external_id.",
        name=f"delete_{noun}_by_external_id",
    )
    def delete_by_external_id(
        records: RecordsDep,
        tenant: TenantDep,
        external_id: Annotated[ExternalId, Query(description=f"Your own id of the {noun} to delete.")],
    ):
        """Delete the record with this external_id."""
        records.delete(kind, records.id_of(kind, external_id, tenant), tenant)
        return Response(status_code=204)

    @router.post(
        "/matches",
        response_model=MatchResponse,
        description=f"The best {other} for the stored {noun} that carries this external_id.",
        name=f"match_{other}_by_external_id",
    )
    def match_by_external_id(
        matcher: MatcherDep,
        settings: SettingsDep,
        tenant: TenantDep,
        external_id: Annotated[ExternalId, Query(description=f"Your own id of the stored {noun}.")],
        req: Matching = None,
    ):
        """The best matches for the record with this external_id."""
        return record_matches(
            matcher, kind, matcher.records.id_of(kind, external_id, tenant), req, settings.blind_matches, tenant
        )

    @router.get(f"/{{{id_name}}}", response_model=doc_out, description=f"One {noun}.", name=f"get_{noun}")
    def get(record_id: RecordId, records: RecordsDep, tenant: TenantDep):
        """One record."""
        return record_out(records.get(kind, record_id, tenant))

    @router.put(
        f"/{{{id_name}}}",
        response_model=doc_out,
        description=f"Replace a {noun} (its vector and extracted fields are computed again).",
        name=f"replace_{noun}",
    )
    def replace(record_id: RecordId, doc: doc_in, records: RecordsDep, tenant: TenantDep):  # type: ignore[valid-type]
        """Replace a record."""
        return record_out(records.replace(kind, record_id, doc.model_dump(mode="json"), tenant))  # type: ignore[attr-defined]

    @router.delete(
        f"/{{{id_name}}}",
        status_code=204,
        description=f"Delete a {noun}, its vectors and payload.",
        name=f"delete_{noun}",
    )
    def delete(record_id: RecordId, records: RecordsDep, tenant: TenantDep):
        """Delete a record."""
        records.delete(kind, record_id, tenant)
        return Response(status_code=204)

    @router.post(
        f"/{{{id_name}}}/matches",
        response_model=MatchResponse,
        description=f"The best {other} for a stored {noun}, with score, confidence and breakdown.",
        name=f"match_{other}",
    )
    def match(record_id: RecordId, matcher: MatcherDep, settings: SettingsDep, tenant: TenantDep, req: Matching = None):
        """The best matches of the other side for a stored record."""
        return record_matches(matcher, kind, record_id, req, settings.blind_matches, tenant)

    return router
