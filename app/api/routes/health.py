"""/health (the process answers) and /ready (model loaded, store open): no API key needed; with API keys
on, /ready shows its details (model path, store, counts across tenants) only to a caller that sends a key
of the operator's tenant. /metrics (Prometheus text format, every tenant's counts) needs such a key too."""

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from app.api.deps import SettingsDep, require_operator
from app.api.errors import error_response
from app.api.schemas import ErrorResponse
from app.domain import Kind
from app.errors import Forbidden, Unauthorized
from app.services import Services

router = APIRouter(tags=["health"])


@router.get("/health")
def health():
    """The process answers (liveness)."""
    return {"status": "ok"}


@router.get("/ready")
def ready(request: Request, settings: SettingsDep):
    """Model loaded and store open (readiness); details only with a key when keys are on."""
    services: Services | None = getattr(request.app.state, "services", None)
    if services is None:
        return error_response(503, "starting", "The service is starting: the model and the store are loading.")
    try:
        store = services.store.info()
        stale = {k.value: services.records.count_other_models(k) for k in Kind}
        stale["occupations"] = services.occupations.count_stale()
    except Exception as exc:  # the store went away: not ready, and say why
        return error_response(503, "store_unavailable", f"Store not usable: {exc}")
    try:  # with API keys on, only the operator sees paths, model files and counts of every tenant
        require_operator(request, settings)
    except (Unauthorized, Forbidden):
        return {"status": "ready"}
    return {
        "status": "ready",
        "model": services.encoder.describe(),
        "store": store,
        "stale_vectors": stale,
        "reference_occupations": services.reference.state(),
        "occupation_renormalization": services.renormalizer.state(),
        "filter_fields": services.renormalizer.fields_state(),
    }


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format."},
        401: {"model": ErrorResponse, "description": "No valid API key (when keys are on)."},
        403: {"model": ErrorResponse, "description": "A tenant's key: the metrics cover every tenant."},
    },
)
def metrics(request: Request, settings: SettingsDep):
    """Request latency per route and status, encoder slices and waiting callers, import rows, index
    builds, records per collection."""
    require_operator(request, settings)
    body = generate_latest(REGISTRY)
    services: Services | None = getattr(request.app.state, "services", None)
    if services is not None:
        body += generate_latest(services.metrics)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
