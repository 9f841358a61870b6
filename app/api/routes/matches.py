"""/v1/matches (ad hoc text against either side) and /v1/embed."""

from fastapi import APIRouter

from app.api.deps import MatcherDep, SettingsDep, TenantDep
from app.api.present import match_response, to_filters
from app.api.schemas import AdHocMatchRequest, EmbedRequest, EmbedResponse, MatchResponse
from app.domain import Kind
from app.encoder.priority import bulk_work

router = APIRouter(tags=["matching"])


@router.post("/matches", response_model=MatchResponse)
def match_text(req: AdHocMatchRequest, matcher: MatcherDep, settings: SettingsDep, tenant: TenantDep):
    """Match a free text (a job ad or a CV that is not stored) against stored candidates or jobs."""
    page = matcher.for_text(
        req.text, Kind(req.target), to_filters(req.filters), req.limit, req.offset, req.weights, req.count, tenant
    )
    return match_response(page, blind=settings.blind_matches if req.blind is None else req.blind)


@router.post("/embed", response_model=EmbedResponse)
def embed(req: EmbedRequest, matcher: MatcherDep):
    """Unit vectors of up to 256 texts: the dot product of two is the score the service uses."""
    with bulk_work():  # a long batch yields the encoder to matches and single writes between its slices
        vecs = matcher.embed(req.texts)
    return EmbedResponse(model=matcher.records.model_id, dim=vecs.shape[1], vectors=vecs.round(6).tolist())
