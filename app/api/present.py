"""Domain -> API conversions (and API filters -> domain filters)."""

import re
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from app.api.errors import describe_validation_errors
from app.api.schemas import BulkItem, ImportOut, ItemError, MatchFilters, MatchOut, MatchRequest, MatchResponse
from app.domain import AppliedRule, DocView, Explanation, Filters, Kind, Record
from app.errors import NotFound
from app.ingest.imports import ImportJob, ImportRunner, RowInvalid
from app.ingest.parsers import LineError
from app.matching.occupations import Occupation
from app.matching.records import Records
from app.matching.rules import Rule
from app.matching.service import Matcher, MatchPage


def utc(t: float | None) -> datetime | None:
    """A stored timestamp (seconds since the epoch) as the API shows it."""
    return None if t is None else datetime.fromtimestamp(t, tz=UTC)


def record_out(rec: Record) -> dict[str, Any]:
    return {
        **rec.doc,
        "id": rec.id,
        "created_at": utc(rec.created_at),
        "updated_at": utc(rec.updated_at),
        "model": rec.model,
        "encoder_confidence": rec.encoder_confidence,
        "occupations": [asdict(o) for o in rec.occupations],
        "extracted": rec.extracted,
    }


def occupation_out(o: Occupation) -> dict[str, Any]:
    return {**o.doc, "id": o.id, "created_at": utc(o.created_at)}


def rule_out(r: Rule) -> dict[str, Any]:
    return {**r.doc, "id": r.id, "created_at": utc(r.created_at)}


def import_out(job: ImportJob, runner: ImportRunner) -> dict[str, Any]:
    rate, eta = runner.progress(job)
    return {
        "id": job.id,
        "filename": job.filename,
        "format": job.format,
        "status": job.status,
        "total": job.total,
        "processed": job.processed,
        "stored": job.stored,
        "failed": job.failed,
        "rate_per_s": round(rate, 2) if rate else None,
        "eta_s": round(eta, 1) if eta is not None else None,
        "created_at": utc(job.created_at),
        "started_at": utc(job.started_at),
        "finished_at": utc(job.finished_at),
        "restarts": job.restarts,
        "message": job.message,
        "callback_url": job.callback_url,
        "webhook": webhook_out(job.webhook),
    }


def webhook_out(hook: dict | None) -> dict | None:
    if hook is None:
        return None
    return {**hook, "delivered_at": utc(hook.get("delivered_at"))}


def describe_import(job: ImportJob, runner: ImportRunner) -> dict[str, Any]:
    """An ended import as its webhook body: what GET /v1/imports/{id} shows, less the webhook itself."""
    return ImportOut.model_validate(import_out(job, runner)).model_dump(mode="json", exclude={"webhook"})


def to_filters(f: MatchFilters | None) -> Filters | None:
    if f is None:
        return None
    loc, years, skills, salary = f.location, f.years_experience, f.skills, f.salary
    return Filters(
        city=loc.city if loc else None,
        country=loc.country if loc else None,
        lat=loc.lat if loc else None,
        lon=loc.lon if loc else None,
        radius_km=loc.radius_km if loc else None,
        remote=f.remote,
        languages=dict(f.languages),
        years_gte=years.gte if years else None,
        years_lte=years.lte if years else None,
        skills_all=list(skills.all) if skills else [],
        skills_any=list(skills.any) if skills else [],
        salary_min=salary.min if salary else None,
        salary_max=salary.max if salary else None,
        salary_currency=salary.currency if salary else None,
        occupation_ids=list(f.occupation_ids),
    )


# words that tell gender or age, kept out of quoted evidence in blind mode
BLIND_CUES = frozenset(
    "he him his she her hers mr mrs ms miss sir madam male female man woman men women boy girl "
    "husband wife mother father son daughter age aged old young born birth birthday "
    "married single pregnant maternity paternity".split()
)


def explanation_out(why: Explanation, blind: bool, name: str | None) -> dict[str, Any]:
    """The explanation as the API shows it; blind, without words of the person's name or gender/age cues
    in its quoted terms."""
    out = asdict(why)
    if blind:
        hidden = BLIND_CUES | {w.lower() for w in re.findall(r"\w+", name or "")}
        out["shared_terms"] = [t for t in why.shared_terms if not hidden & {w.lower() for w in re.findall(r"\w+", t)}]
    return out


def rules_applied_out(applied: list[AppliedRule]) -> list[dict[str, Any]]:
    return [asdict(a) for a in applied]


def match_response(page: MatchPage, blind: bool = False) -> MatchResponse:
    out = []
    for m, why in zip(page.matches, page.explanations):
        d, view = m.record.doc, DocView(m.record.kind, m.record.doc)
        out.append(
            MatchOut(
                id=m.record.id,
                external_id=d.get("external_id"),
                title=view.title or None,
                name=None if blind else view.name,
                score=m.score,
                confidence=m.confidence,
                location=d.get("location"),
                skills=view.skills,
                encoder_confidence=m.record.encoder_confidence,
                explanation=explanation_out(why, blind, d.get("name")),
            )
        )
    return MatchResponse(
        matches=out,
        model=page.model,
        no_good_match=page.no_good_match,
        query_confidence=page.query_confidence,
        rules_applied=rules_applied_out(page.rules_applied),
        total=page.total,
    )


def validate_items(items: list[Any], model: type[BaseModel]) -> tuple[list[tuple[int, dict]], list[BulkItem]]:
    """Split raw bulk items into valid documents (with their index) and per-item errors."""
    adapter = TypeAdapter(model)
    valid, errors = [], []
    for i, raw in enumerate(items):
        if isinstance(raw, LineError):
            errors.append(BulkItem(index=i, error=ItemError(code="malformed_json", message=raw.message)))
            continue
        try:
            doc = adapter.validate_python(raw, strict=True)
        except ValidationError as exc:
            ext = raw.get("external_id") if isinstance(raw, dict) and isinstance(raw.get("external_id"), str) else None
            errors.append(
                BulkItem(
                    index=i,
                    external_id=ext,
                    error=ItemError(
                        code="validation_error",
                        message="The item does not match the schema; see details.",
                        details=describe_validation_errors(exc.errors(include_input=False)),
                    ),
                )
            )
            continue
        valid.append((i, doc.model_dump(mode="json")))
    return valid, errors


def row_validator(model: type[BaseModel]):
    """Validation for import rows: the document to store, or RowInvalid naming each wrong field."""
    adapter = TypeAdapter(model)

    def validate(item: Any) -> dict:
        try:
            return adapter.validate_python(item, strict=True).model_dump(mode="json")
        except ValidationError as exc:
            problems = describe_validation_errors(exc.errors(include_input=False))
            raise RowInvalid("; ".join(f"{p['field']}: {p['message']}" for p in problems)) from None

    return validate


def record_page(
    records: Records, kind: Kind, limit: int, offset: int, external_id: str | None, sort: str, order: str, tenant: str
) -> dict[str, Any]:
    """A page of the tenant's records in `sort` order; with `external_id`, the page of the one record carrying
    it (or none)."""
    if external_id is None:
        items, total = records.page(kind, limit, offset, sort, descending=order == "desc", tenant=tenant)
    else:
        try:
            items = [records.by_external_id(kind, external_id, tenant)]
        except NotFound:
            items = []
        total = len(items)
    return {"items": [record_out(r) for r in items], "total": total, "limit": limit, "offset": offset}


def record_matches(
    matcher: Matcher, kind: Kind, record_id: str, req: MatchRequest | None, blind_default: bool, tenant: str
) -> MatchResponse:
    req = req or MatchRequest()
    return match_response(
        matcher.for_record(
            kind, record_id, to_filters(req.filters), req.limit, req.offset, req.weights, req.count, tenant
        ),
        blind=blind_default if req.blind is None else req.blind,
    )
