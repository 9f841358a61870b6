"""/v1/candidates: create, read, replace, delete, list, bulk upload, and jobs for a candidate."""

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response

from app.api.bulk import bulk_openapi, bulk_upload
from app.api.deps import MatcherDep, RecordsDep, SettingsDep
from app.api.present import match_response, record_out, to_filters
from app.api.schemas import (BulkResponse, CandidateIn, CandidateOut, CandidatePage, ExternalId, MatchRequest,
                             MatchResponse)
from app.domain import Kind
from app.errors import NotFound

router = APIRouter(prefix="/candidates", tags=["candidates"])


@router.post("", response_model=CandidateOut, status_code=201,
             responses={200: {"model": CandidateOut, "description": "Updated: a candidate with this external_id existed."}})
def create_candidate(candidate: CandidateIn, records: RecordsDep, response: Response):
    rec, created = records.put_many(Kind.CANDIDATE, [candidate.model_dump(mode="json")])[0]
    response.status_code = 201 if created else 200
    return record_out(rec)


@router.post("/bulk", response_model=BulkResponse, openapi_extra=bulk_openapi(CandidateIn))
async def bulk_candidates(request: Request, records: RecordsDep, settings: SettingsDep):
    return await bulk_upload(request, Kind.CANDIDATE, CandidateIn, records, settings.max_bulk_items)


@router.get("", response_model=CandidatePage)
def list_candidates(records: RecordsDep, limit: Annotated[int, Query(ge=1, le=100)] = 20,
              offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
              external_id: Annotated[ExternalId | None, Query(description=(
                  "Only the candidate with this external_id (your own id): a page of one, or of none."))] = None):
    """Candidates, oldest first; or the one candidate that carries an external_id."""
    if external_id is not None:
        try:
            items = [records.get(Kind.CANDIDATE, records.id_of(Kind.CANDIDATE, external_id))]
        except NotFound:
            items = []
        return {"items": [record_out(r) for r in items], "total": len(items), "limit": limit, "offset": offset}
    items, total = records.page(Kind.CANDIDATE, limit, offset)
    return {"items": [record_out(r) for r in items], "total": total, "limit": limit, "offset": offset}


@router.delete("", status_code=204)
def delete_candidate_by_external_id(records: RecordsDep, external_id: Annotated[ExternalId, Query(
        description="Your own id of the candidate to delete.")]):
    """Delete the candidate that carries this external_id."""
    records.delete(Kind.CANDIDATE, records.id_of(Kind.CANDIDATE, external_id))
    return Response(status_code=204)


@router.post("/matches", response_model=MatchResponse)
def match_jobs_by_external_id(matcher: MatcherDep, external_id: Annotated[ExternalId, Query(
        description="Your own id of the stored candidate.")], req: Annotated[MatchRequest | None, Body()] = None):
    """The best jobs for the stored candidate that carries this external_id."""
    req = req or MatchRequest()
    record_id = matcher.records.id_of(Kind.CANDIDATE, external_id)
    return match_response(matcher.for_record(Kind.CANDIDATE, record_id, to_filters(req.filters), req.limit, req.offset,
                                              req.weights))


@router.get("/{candidate_id}", response_model=CandidateOut)
def get_candidate(candidate_id: str, records: RecordsDep):
    return record_out(records.get(Kind.CANDIDATE, candidate_id))


@router.put("/{candidate_id}", response_model=CandidateOut)
def replace_candidate(candidate_id: str, candidate: CandidateIn, records: RecordsDep):
    return record_out(records.replace(Kind.CANDIDATE, candidate_id, candidate.model_dump(mode="json")))


@router.delete("/{candidate_id}", status_code=204)
def delete_candidate(candidate_id: str, records: RecordsDep):
    records.delete(Kind.CANDIDATE, candidate_id)
    return Response(status_code=204)


@router.post("/{candidate_id}/matches", response_model=MatchResponse)
def match_jobs(candidate_id: str, matcher: MatcherDep, req: Annotated[MatchRequest | None, Body()] = None):
    req = req or MatchRequest()
    return match_response(matcher.for_record(Kind.CANDIDATE, candidate_id, to_filters(req.filters), req.limit, req.offset,
                                              req.weights))
