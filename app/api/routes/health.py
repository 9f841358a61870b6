"""/health (the process answers) and /ready (model loaded, store open): no API key needed; with API keys
on, /ready shows its details (model path, store, counts across tenants) only to a caller that sends a key
of the operator's tenant. /metrics (Prometheus text format, every tenant's counts) needs such a key too."""

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from app.api.deps import Forbidden, Unauthorized, require_operator
from app.api.schemas import ErrorResponse
from app.domain import Kind

router = APIRouter(tags=["health"])


@router.get("/health")
def health():
    """The process answers (liveness)."""
    return {"status": "ok"}


@router.get("/ready")
def ready(request: Request):
    """Model loaded and store open (readiness); details only with a key when keys are on."""
    state = request.app.state
    records = getattr(state, "records", None)
    if records is None:
        return JSONResponse({"status": "starting"}, status_code=503)
    try:
        store = records.store.info()
        stale = {k.value: records.count_other_models(k) for k in Kind}
        stale["occupations"] = state.occupations.count_stale()
    except Exception as exc:  # the store went away: not ready, and say why
        body = {"error": {"code": "store_unavailable", "message": f"Store not usable: {exc}", "details": None}}
        return JSONResponse(body, status_code=503)
    try:  # with API keys on, only the operator sees paths, model files and counts of every tenant
        require_operator(request, state.settings)
    except (Unauthorized, Forbidden):
        return {"status": "ready"}
    enc = records.encoder
    return {"status": "ready",
            "model": {"id": records.model_id, "name": enc.name, "version": enc.version, "dim": enc.dim,
                      "path": str(getattr(enc, "path", "")), "chunk_pooling": getattr(enc, "pooling", None),
                      "backend": getattr(enc, "backend", None), "file": getattr(enc, "model_file", None)},
            "store": store, "stale_vectors": stale,
            "reference_occupations": state.reference.state(), "occupation_renormalization": state.renormalizer.state()}


@router.get("/metrics", response_class=Response, responses={
    200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format."},
    401: {"model": ErrorResponse, "description": "No valid API key (when keys are on)."},
    403: {"model": ErrorResponse, "description": "A tenant's key: the metrics cover every tenant."}})
def metrics(request: Request):
    """Request latency per route and status, encoder slices and waiting callers, import rows, index
    builds, records per collection."""
    require_operator(request, request.app.state.settings)
    body = generate_latest(REGISTRY)
    own = getattr(request.app.state, "metrics", None)
    if own is not None:
        body += generate_latest(own)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
