"""/v1/imports: upload a file of candidates (NDJSON, CSV, JSON array, ZIP of CVs); it is stored in the
background in batches; follow it, read its row errors, or cancel it."""

from itertools import islice
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, File, Form, Query, Response, UploadFile

from app.api.deps import ImportsDep, SettingsDep, TenantDep
from app.api.present import import_out
from app.api.schemas import ErrorResponse, ImportErrorPage, ImportOut, ImportPage
from app.errors import InvalidInput
from app.ingest.formats import detect_format

router = APIRouter(prefix="/imports", tags=["imports"])


def check_callback_url(url: str | None) -> str | None:
    if url is None:
        return None
    parsed = urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InvalidInput(
            "callback_url must be an absolute http:// or https:// URL.",
            [{"field": "callback_url", "message": "not an http(s) URL", "type": "url_scheme"}],
        )
    return url


@router.post(
    "",
    response_model=ImportOut,
    status_code=202,
    responses={
        415: {
            "model": ErrorResponse,
            "description": (
                "The file's format cannot be told from its name (`unsupported_format`): name it or send `format`."
            ),
        },
        429: {
            "model": ErrorResponse,
            "description": (
                "Too many uploads at once (`too_many_uploads`, with Retry-After) or too many imports queued or running "
                "(`too_many_imports`)."
            ),
        },
    },
)
def start_import(
    runner: ImportsDep,
    settings: SettingsDep,
    tenant: TenantDep,
    response: Response,
    file: Annotated[
        UploadFile,
        File(
            description=(
                "NDJSON (*.ndjson, *.jsonl), CSV with a header row (*.csv), a JSON array (*.json) or a ZIP of "
                "CV files: PDF, DOCX, TXT (*.zip); see docs/imports.md for the CSV columns."
            )
        ),
    ],
    format: Annotated[str | None, Form(description="ndjson, csv, json or zip; default: from the file name.")] = None,
    callback_url: Annotated[
        str | None,
        Form(
            max_length=2000,
            description=(
                "http(s) URL told when the import ends (POST, signed with JOBMATCH_WEBHOOK_SECRET); "
                "default: JOBMATCH_IMPORT_CALLBACK_URL."
            ),
        ),
    ] = None,
):
    """Upload a file of candidates; it is stored in the background (202). Follow it with GET."""
    url = check_callback_url(callback_url or settings.import_callback_url)
    job = runner.submit(file.file, file.filename or "upload", detect_format(file.filename, format), url, tenant)
    response.headers["Location"] = f"/v1/imports/{job.id}"
    return import_out(job, runner)


@router.get("", response_model=ImportPage)
def list_imports(
    runner: ImportsDep,
    tenant: TenantDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
):
    """Imports, newest first, with their progress."""
    jobs, total = runner.page(limit, offset, tenant)
    return {"items": [import_out(j, runner) for j in jobs], "total": total, "limit": limit, "offset": offset}


@router.get("/{import_id}", response_model=ImportOut)
def get_import(import_id: str, runner: ImportsDep, tenant: TenantDep):
    """One import: status, counts, rate, ETA, webhook delivery."""
    return import_out(runner.book.get(import_id, tenant), runner)


@router.get("/{import_id}/errors", response_model=ImportErrorPage)
def import_errors(
    import_id: str,
    runner: ImportsDep,
    tenant: TenantDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    """An import's row errors: row, external_id and why, in file order."""
    job = runner.book.get(import_id, tenant)
    items = list(islice(runner.book.errors(job), offset, offset + limit))
    return {"items": items, "total": job.failed, "limit": limit, "offset": offset}


@router.delete(
    "/{import_id}",
    response_model=ImportOut,
    responses={204: {"description": "The import had ended: it was removed with its file and row errors."}},
)
def cancel_import(import_id: str, runner: ImportsDep, tenant: TenantDep):
    """Stops a queued or running import after its current batch (what was stored stays stored); removes
    an ended one, its uploaded file and its row errors (204)."""
    job = runner.cancel_or_remove(import_id, tenant)
    return Response(status_code=204) if job is None else import_out(job, runner)
