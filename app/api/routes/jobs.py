"""/v1/jobs: create, read, replace, delete, list, bulk upload, look-up by external_id, candidates for a job."""

from app.api.routes.records import record_router
from app.api.schemas import JobIn, JobOut, JobPage
from app.domain import Kind

router = record_router(Kind.JOB, JobIn, JobOut, JobPage, noun="job", other="candidates")
