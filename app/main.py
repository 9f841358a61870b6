"""The app factory: the lifespan builds the encoder, the store and the services once, and closes them."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from app.api.deps import refuse_unknown_query, require_api_key
from app.api.errors import install_error_handlers
from app.api.examples import add_examples
from app.api.examples import load as load_examples
from app.api.keys_first import KeyFirstMiddleware
from app.api.limits import BodyLimitMiddleware
from app.api.paths import operation_id
from app.api.present import describe_import, row_validator
from app.api.request_id import RequestIdMiddleware, configure_logging
from app.api.routes import candidates, health, imports, jobs, matches, occupations, privacy, rules
from app.api.schemas import ERROR_RESPONSES, CandidateIn
from app.api.upload_gate import UploadGate
from app.encoder.base import Encoder
from app.services import Services
from app.settings import Settings
from app.ui import mount_ui

log = logging.getLogger("jobmatch")
_OPENAPI: dict[str, dict] = {}  # settings (less the data folder) -> the OpenAPI document


def create_app(settings: Settings | None = None, encoder: Encoder | None = None) -> FastAPI:
    """The app on `settings`; the lifespan builds the services (`app/services.py`) and closes them.

    `encoder` may be passed in (tests share one loaded model); otherwise it is loaded at start-up."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = Services.build(
            settings, encoder, validate_row=row_validator(CandidateIn), describe_import=describe_import
        )
        app.state.services = services
        services.start()
        try:
            yield
        finally:
            app.state.services = None
            services.close()

    # no trailing-slash redirects: they echo the Host header into Location; "/v1/jobs/" is a clear 404
    # /docs and /redoc load Swagger UI and ReDoc from the installed package, never from a CDN
    app = FastAPIOffline(
        title="jobmatch",
        version="0.1.0",
        lifespan=lifespan,
        redirect_slashes=False,
        generate_unique_id_function=operation_id,
        description="Job-candidate matching: metric-learning encoder + Qdrant.",
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        larger={"/v1/imports": (settings.max_import_bytes, "JOBMATCH_MAX_IMPORT_BYTES")},
    )
    app.add_middleware(UploadGate, max_uploads=settings.max_concurrent_uploads)
    app.add_middleware(KeyFirstMiddleware, settings=settings)  # runs before any body is read
    if settings.cors_origins:  # outermost: a browser's preflight carries no API key and is answered here
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["Location", "Retry-After", "X-Request-ID"],
            max_age=600,
        )
    app.add_middleware(RequestIdMiddleware)  # outermost: every answer, a 401 or a preflight too, carries its id

    v1 = APIRouter(
        prefix="/v1", dependencies=[Depends(require_api_key), Depends(refuse_unknown_query)], responses=ERROR_RESPONSES
    )
    for module in (jobs, candidates, imports, matches, occupations, rules, privacy):
        v1.include_router(module.router)
    app.include_router(v1)
    app.include_router(health.router)
    mount_ui(app)

    def openapi_with_examples() -> dict:
        """The generated document, plus one recorded example per operation (app/api/examples.json)."""
        if app.openapi_schema is None:
            # the same routes and settings give the same document: generated once per process (tests and
            # benchmarks build many apps; generating it costs about 0.3 s)
            key = settings.model_dump_json(exclude={"data_dir"})
            if key not in _OPENAPI:
                spec = add_examples(FastAPI.openapi(app), load_examples())
                if not settings.api_keys:  # no keys configured: the bearer scheme is accepted, not required
                    for op in (op for item in spec.get("paths", {}).values() for op in item.values()):
                        if op.get("security"):
                            op["security"].append({})
                _OPENAPI[key] = spec
            app.openapi_schema = _OPENAPI[key]
        return app.openapi_schema

    app.openapi = openapi_with_examples  # type: ignore[method-assign]
    return app


def create_app_from_env() -> FastAPI:
    """The entry point: `uvicorn --factory app.main:create_app_from_env` (settings from the environment)."""
    settings = Settings()
    configure_logging(settings.log_json)
    return create_app(settings)
