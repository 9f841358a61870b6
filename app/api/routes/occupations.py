"""/v1/occupations: reference occupations (add, bulk, read, delete, list) and text normalisation."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.bulk import bulk_openapi, bulk_store
from app.api.deps import NormalizerDep, OccupationsDep, SettingsDep, TenantDep
from app.api.present import occupation_out, rules_applied_out
from app.api.schemas import (
    BulkResponse,
    NormalizedMatch,
    NormalizeRequest,
    NormalizeResponse,
    NormalizeResult,
    OccupationIn,
    OccupationOut,
    OccupationPage,
)
from app.encoder.priority import bulk_work

router = APIRouter(prefix="/occupations", tags=["occupations"])


@router.post(
    "",
    response_model=OccupationOut,
    status_code=201,
    responses={200: {"model": OccupationOut, "description": "Updated: an occupation with this external_id existed."}},
)
def create_occupation(occ: OccupationIn, occupations: OccupationsDep, tenant: TenantDep, response: Response):
    """Add a reference occupation (or update the one with this external_id, 200)."""
    o, created = occupations.put_many([occ.model_dump(mode="json")], tenant)[0]
    response.status_code = 201 if created else 200
    return occupation_out(o)


@router.post("/bulk", response_model=BulkResponse, openapi_extra=bulk_openapi(OccupationIn))
async def bulk_occupations(request: Request, occupations: OccupationsDep, settings: SettingsDep, tenant: TenantDep):
    """Add up to JOBMATCH_MAX_BULK_ITEMS reference occupations; each item reports."""
    return await bulk_store(
        request, OccupationIn, lambda docs: occupations.put_many(docs, tenant), settings.max_bulk_items
    )


@router.post("/normalize", response_model=NormalizeResponse)
def normalize(req: NormalizeRequest, normalizer: NormalizerDep, tenant: TenantDep):
    """Best reference occupations for each text, in order, with confidence; exclusion rules apply."""
    results = []
    with bulk_work():  # a long list yields the encoder to matches and single writes between its slices
        normalized = normalizer.texts(req.texts, req.limit, tenant)
    for text, n in zip(req.texts, normalized):
        matches = [
            NormalizedMatch(
                id=h.occupation.id,
                external_id=h.occupation.doc.get("external_id"),
                label=h.occupation.doc["label"],
                code=h.occupation.doc.get("code"),
                score=h.score,
                confidence=c,
            )
            for h, c in zip(n.hits, n.confidences)
        ]
        results.append(
            NormalizeResult(
                text=text,
                matches=matches,
                no_good_match=n.no_good_match,
                rules_applied=rules_applied_out(n.fired.applied()),
            )
        )
    return NormalizeResponse(results=results, model=normalizer.occupations.model_id)


@router.get("", response_model=OccupationPage)
def list_occupations(
    occupations: OccupationsDep,
    tenant: TenantDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
):
    """Reference occupations, oldest first."""
    items, total = occupations.page(limit, offset, tenant)
    return {"items": [occupation_out(o) for o in items], "total": total, "limit": limit, "offset": offset}


@router.get("/{occupation_id}", response_model=OccupationOut)
def get_occupation(occupation_id: str, occupations: OccupationsDep, tenant: TenantDep):
    """One reference occupation."""
    return occupation_out(occupations.get(occupation_id, tenant))


@router.delete("/{occupation_id}", status_code=204)
def delete_occupation(occupation_id: str, occupations: OccupationsDep, tenant: TenantDep):
    """Delete a reference occupation."""
    occupations.delete(occupation_id, tenant)
    return Response(status_code=204)
