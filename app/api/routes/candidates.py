"""/v1/candidates: create, read, replace, delete, list, bulk upload, look-up by external_id, jobs for a
candidate."""

from app.api.routes.records import record_router
from app.api.schemas import CandidateIn, CandidateOut, CandidatePage
from app.domain import Kind

router = record_router(Kind.CANDIDATE, CandidateIn, CandidateOut, CandidatePage, noun="candidate", other="jobs")
