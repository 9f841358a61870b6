"""What the service holds about one person, found by the client's external_id: exported as JSON, or
erased everywhere it is kept (GDPR articles 15 and 17).

Where a person can be: the candidate record (document, vectors, extracted fields, occupations), the
row-error logs of imports (a rejected row names its external_id), and uploaded import files still on
disk (queued, running, or failed imports keep theirs). Erasure deletes the record, drops the log
lines, and removes the files of ended imports that hold the id (their state stays, with a message);
a queued or running import that holds it is cancelled first, so it cannot store the person again.
"""

from dataclasses import asdict, dataclass, field
from typing import Any

from app.domain import DEFAULT_TENANT, Kind
from app.errors import NotFound
from app.ingest.imports import FINISHED, ImportRunner
from app.matching.records import Records


@dataclass
class Erasure:
    external_id: str
    records: list[str] = field(default_factory=list)  # "candidates/<id>" and "jobs/<id>"
    import_errors: int = 0
    import_files: list[str] = field(default_factory=list)  # import ids whose file was removed
    imports_cancelled: list[str] = field(default_factory=list)


class PersonalData:
    """One tenant's view: a person is looked for among that tenant's records and imports only."""

    def __init__(self, records: Records, imports: ImportRunner, tenant: str = DEFAULT_TENANT):
        self.records, self.imports, self.tenant = records, imports, tenant

    def export(self, external_id: str) -> dict[str, Any]:
        """Everything held about the person, as JSON-ready data."""
        held: dict[str, Any] = {"external_id": external_id, "records": {}, "import_errors": [], "import_files": []}
        for kind in (Kind.CANDIDATE, Kind.JOB):
            try:
                rec = self.records.by_external_id(kind, external_id, self.tenant)
            except NotFound:
                continue
            held["records"][kind.value] = {
                "id": rec.id,
                "document": rec.doc,
                "extracted": rec.extracted,
                "occupations": [asdict(o) for o in rec.occupations],
                "created_at": rec.created_at,
                "updated_at": rec.updated_at,
            }
        book = self.imports.book
        held["import_errors"] = [
            {"import_id": job.id, "filename": job.filename, **{k: v for k, v in e.items() if k != "seq"}}
            for job, e in book.errors_naming(external_id, self.tenant)
        ]
        held["import_files"] = [
            {"import_id": job.id, "filename": job.filename, "status": job.status}
            for job in book.files_naming(external_id, self.tenant)
        ]
        return held

    def erase(self, external_id: str) -> Erasure:
        out = Erasure(external_id)
        book = self.imports.book
        for job in book.files_naming(external_id, self.tenant):
            if job.status not in FINISHED:
                self.imports.cancel(job.id)
                self.imports.wait_ended(job.id)
                out.imports_cancelled.append(job.id)
            job = book.get(job.id)
            book.drop_source(job)
            job.message = ((job.message + " ") if job.message else "") + "Its file was removed by an erasure request."
            book.save(job)
            out.import_files.append(job.id)
        for kind in (Kind.CANDIDATE, Kind.JOB):
            try:
                record_id = self.records.id_of(kind, external_id, self.tenant)
            except NotFound:
                continue
            self.records.delete(kind, record_id, self.tenant)
            out.records.append(f"{kind.value}/{record_id}")
        for job in book.of_tenant(self.tenant):
            out.import_errors += book.forget_errors_naming(job, external_id)
        return out
