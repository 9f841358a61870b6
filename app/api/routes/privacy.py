"""/v1/privacy: export everything held about a person, or erase it everywhere (by your external_id)."""

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.api.deps import ImportsDep, RecordsDep, TenantDep
from app.api.schemas import ExternalId
from app.privacy import PersonalData

router = APIRouter(prefix="/privacy", tags=["privacy"])
PersonId = Annotated[ExternalId, Query(description="Your own id of the person (a candidate's external_id).")]


@router.get("", name="export_person")
def export_person(external_id: PersonId, records: RecordsDep, imports: ImportsDep, tenant: TenantDep) -> dict[str, Any]:
    """Everything the service holds about a person (right of access): the stored record with what was
    read out of it, import row errors that name them, uploaded files still on disk that hold their id."""
    return PersonalData(records, imports, tenant).export(external_id)


@router.delete("", name="erase_person")
def erase_person(external_id: PersonId, records: RecordsDep, imports: ImportsDep, tenant: TenantDep) -> dict[str, Any]:
    """Erase a person everywhere (right to erasure): the record and its vectors, the import row errors
    that name them, and uploaded files that hold their id (a running import holding it is cancelled).
    Answers what was erased; erasing someone the service does not hold answers the same, with nothing."""
    return asdict(PersonalData(records, imports, tenant).erase(external_id))
