"""/v1/candidates: create, read, replace, delete, list, bulk upload, and jobs for a candidate."""

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response

from app.api.bulk import bulk_openapi, bulk_upload
from app.api.deps import MatcherDep, RecordsDep, SettingsDep
from app.api.present import match_response, record_out, to_filters
from app.api.schemas import BulkResponse, CandidateIn, CandidateOut, CandidatePage, MatchRequest, MatchResponse
from app.domain import Kind

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
              offset: Annotated[int, Query(ge=0, le=100_000)] = 0):
    items, total = records.page(Kind.CANDIDATE, limit, offset)
    return {"items": [record_out(r) for r in items], "total": total, "limit": limit, "offset": offset}


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
def jobs_for_candidate(candidate_id: str, matcher: MatcherDep, req: Annotated[MatchRequest | None, Body()] = None):
    req = req or MatchRequest()
    return match_response(matcher.for_record(Kind.CANDIDATE, candidate_id, to_filters(req.filters), req.limit, req.offset,
                                              req.weights))
