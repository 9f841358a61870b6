"""/v1/jobs: create, read, replace, delete, list, bulk upload, and candidates for a job."""

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response

from app.api.bulk import bulk_openapi, bulk_upload
from app.api.deps import MatcherDep, RecordsDep, SettingsDep
from app.api.present import match_response, record_out, to_filters
from app.api.schemas import BulkResponse, ExternalId, JobIn, JobOut, JobPage, MatchRequest, MatchResponse
from app.domain import Kind
from app.errors import NotFound

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.post("", response_model=JobOut, status_code=201,
             responses={200: {"model": JobOut, "description": "Updated: a job with this external_id existed."}})
def create_job(job: JobIn, records: RecordsDep, response: Response):
    rec, created = records.put_many(Kind.JOB, [job.model_dump(mode="json")])[0]
    response.status_code = 201 if created else 200
    return record_out(rec)


@router.post("/bulk", response_model=BulkResponse, openapi_extra=bulk_openapi(JobIn))
async def bulk_jobs(request: Request, records: RecordsDep, settings: SettingsDep):
    return await bulk_upload(request, Kind.JOB, JobIn, records, settings.max_bulk_items)


@router.get("", response_model=JobPage)
def list_jobs(records: RecordsDep, limit: Annotated[int, Query(ge=1, le=100)] = 20,
              offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
              external_id: Annotated[ExternalId | None, Query(description=(
                  "Only the job with this external_id (your own id): a page of one, or of none."))] = None):
    """Jobs, oldest first; or the one job that carries an external_id."""
    if external_id is not None:
        try:
            items = [records.get(Kind.JOB, records.id_of(Kind.JOB, external_id))]
        except NotFound:
            items = []
        return {"items": [record_out(r) for r in items], "total": len(items), "limit": limit, "offset": offset}
    items, total = records.page(Kind.JOB, limit, offset)
    return {"items": [record_out(r) for r in items], "total": total, "limit": limit, "offset": offset}


@router.delete("", status_code=204)
def delete_job_by_external_id(records: RecordsDep, external_id: Annotated[ExternalId, Query(
        description="Your own id of the job to delete.")]):
    """Delete the job that carries this external_id."""
    records.delete(Kind.JOB, records.id_of(Kind.JOB, external_id))
    return Response(status_code=204)


@router.post("/matches", response_model=MatchResponse)
def match_candidates_by_external_id(matcher: MatcherDep, external_id: Annotated[ExternalId, Query(
        description="Your own id of the stored job.")], req: Annotated[MatchRequest | None, Body()] = None):
    """The best candidates for the stored job that carries this external_id."""
    req = req or MatchRequest()
    record_id = matcher.records.id_of(Kind.JOB, external_id)
    return match_response(matcher.for_record(Kind.JOB, record_id, to_filters(req.filters), req.limit, req.offset,
                                              req.weights))


@router.get("/{job_id}", response_model=JobOut)
def get_job(job_id: str, records: RecordsDep):
    return record_out(records.get(Kind.JOB, job_id))


@router.put("/{job_id}", response_model=JobOut)
def replace_job(job_id: str, job: JobIn, records: RecordsDep):
    return record_out(records.replace(Kind.JOB, job_id, job.model_dump(mode="json")))


@router.delete("/{job_id}", status_code=204)
def delete_job(job_id: str, records: RecordsDep):
    records.delete(Kind.JOB, job_id)
    return Response(status_code=204)


@router.post("/{job_id}/matches", response_model=MatchResponse)
def match_candidates(job_id: str, matcher: MatcherDep, req: Annotated[MatchRequest | None, Body()] = None):
    req = req or MatchRequest()
    return match_response(matcher.for_record(Kind.JOB, job_id, to_filters(req.filters), req.limit, req.offset,
                                              req.weights))
