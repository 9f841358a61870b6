"""/v1/jobs: create, read, replace, delete, list, bulk upload, and candidates for a job."""

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response

from app.api.bulk import bulk_openapi, bulk_upload
from app.api.deps import MatcherDep, RecordsDep, SettingsDep
from app.api.present import match_response, record_out, to_filters
from app.api.schemas import BulkResponse, JobIn, JobOut, JobPage, MatchRequest, MatchResponse
from app.domain import Kind

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
              offset: Annotated[int, Query(ge=0, le=100_000)] = 0):
    items, total = records.page(Kind.JOB, limit, offset)
    return {"items": [record_out(r) for r in items], "total": total, "limit": limit, "offset": offset}


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
def candidates_for_job(job_id: str, matcher: MatcherDep, req: Annotated[MatchRequest | None, Body()] = None):
    req = req or MatchRequest()
    return match_response(matcher.for_record(Kind.JOB, job_id, to_filters(req.filters), req.limit, req.offset,
                                              req.weights))
