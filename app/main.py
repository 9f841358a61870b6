"""The app factory: the lifespan builds the encoder, the store and the services once, and closes them."""

import logging
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from app.api.deps import refuse_unknown_query, require_api_key
from app.api.examples import add_examples
from app.api.examples import load as load_examples
from app.api.keys_first import KeyFirstMiddleware
from app.api.limits import BodyLimitMiddleware
from app.api.paths import operation_id
from app.api.present import row_validator
from app.api.request_id import RequestIdMiddleware, configure_logging
from app.api.routes import candidates, health, imports, jobs, matches, occupations, privacy, rules
from app.api.routes.imports import import_out
from app.api.schemas import ERROR_RESPONSES, CandidateIn, ImportOut
from app.api.upload_gate import UploadGate
from app.domain import Kind
from app.encoder.base import Encoder
from app.encoder.factory import build_encoder
from app.errors import install_error_handlers
from app.ingest.imports import ImportBook, ImportRunner
from app.ingest.webhooks import PENDING, WebhookSender
from app.matching.normalize import Normalizer
from app.matching.occupations import OccupationIndex
from app.matching.records import Records
from app.matching.renormalize import Renormalizer
from app.matching.rules import RuleBook
from app.matching.scorer import MatchScorer
from app.matching.service import Matcher
from app.metrics import ServiceCollector, app_registry
from app.reference.loader import ReferenceLoader
from app.settings import Settings
from app.store import open_store
from app.ui import mount_ui

log = logging.getLogger("jobmatch")

def create_app(settings: Settings | None = None, encoder: Encoder | None = None) -> FastAPI:
    """`encoder` may be passed in (tests share one loaded model); otherwise it is loaded at start-up."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        enc = encoder or build_encoder(settings)
        store = open_store(settings)
        scorer = MatchScorer.for_encoder(enc)
        model_id = f"{enc.name}@{enc.version}"
        occupation_index = OccupationIndex(enc, store, model_id, weights=scorer.ranking,
                                           revision_file=settings.data_dir / "occupations_revision")
        rulebook = RuleBook(store, enc.dim, model_id)
        normalizer = Normalizer(enc, occupation_index, rulebook, scorer)
        records = Records(enc, store, scorer, normalizer)
        for part in (records, occupation_index, rulebook):
            part.open()
        app.state.settings = settings
        app.state.records = records
        app.state.occupations = occupation_index
        app.state.rules = rulebook
        app.state.normalizer = normalizer
        app.state.matcher = Matcher(enc, store, records, scorer, rulebook, settings.match_threshold)
        book = ImportBook(settings.data_dir)
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        webhooks = WebhookSender(
            book.get, book.save,
            lambda job: ImportOut.model_validate(import_out(job, app.state.imports)).model_dump(
                mode="json", exclude={"webhook"}),
            secret, settings.webhook_attempts, settings.webhook_first_delay_s)
        app.state.imports = ImportRunner(book, records.put_many, row_validator(CandidateIn),
                                         lambda: store.bulk_load(Kind.CANDIDATE.value), settings.import_batch_size,
                                         max_pending=settings.max_pending_imports,
                                         on_finished=lambda job: webhooks.schedule(job.id, 0.0))
        app.state.imports.start()
        app.state.reference = ReferenceLoader(occupation_index, settings.reference_occupations, settings.data_dir)
        app.state.reference.start()
        app.state.renormalizer = Renormalizer(records)
        app.state.renormalizer.start()
        webhooks.start([j.id for j in book.all() if (j.webhook or {}).get("status") == PENDING])
        gate = getattr(enc, "gate", None)
        app.state.metrics = app_registry(ServiceCollector(
            lambda: gate.waiting if gate is not None else (0, 0),
            lambda: store.info().get("collections") or {k.value: {"points": store.count(k.value)} for k in Kind}))
        log.info("jobmatch ready: model %s, store %s", records.model_id, store.backend)
        try:
            yield
        finally:
            app.state.imports.stop()
            app.state.reference.stop()
            app.state.renormalizer.stop()
            webhooks.stop()
            app.state.records = None
            store.close()

    # no trailing-slash redirects: they echo the Host header into Location; "/v1/jobs/" is a clear 404
    # /docs and /redoc load Swagger UI and ReDoc from the installed package, never from a CDN
    app = FastAPIOffline(title="jobmatch", version="0.1.0", lifespan=lifespan, redirect_slashes=False,
                         generate_unique_id_function=operation_id,
                  description="Job-candidate matching: metric-learning encoder + Qdrant.")
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes,
                       larger={"/v1/imports": (settings.max_import_bytes, "JOBMATCH_MAX_IMPORT_BYTES")})
    app.add_middleware(UploadGate, max_uploads=settings.max_concurrent_uploads)
    app.add_middleware(KeyFirstMiddleware, settings=settings)  # runs before any body is read
    if settings.cors_origins:  # outermost: a browser's preflight carries no API key and is answered here
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
                           allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                           expose_headers=["Location", "Retry-After", "X-Request-ID"], max_age=600)
    app.add_middleware(RequestIdMiddleware)  # outermost: every answer, a 401 or a preflight too, carries its id

    v1 = APIRouter(prefix="/v1", dependencies=[Depends(require_api_key), Depends(refuse_unknown_query)],
                   responses=ERROR_RESPONSES)
    for module in (jobs, candidates, imports, matches, occupations, rules, privacy):
        v1.include_router(module.router)
    app.include_router(v1)
    app.include_router(health.router)
    mount_ui(app)

    def openapi_with_examples() -> dict:
        """The generated document, plus one recorded example per operation (app/api/examples.json)."""
        if app.openapi_schema is None:
            spec = add_examples(FastAPI.openapi(app), load_examples())
            if not settings.api_keys:  # no keys configured: the bearer scheme is accepted, not required
                for op in (op for item in spec.get("paths", {}).values() for op in item.values()):
                    if op.get("security"):
                        op["security"].append({})
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi_with_examples  # type: ignore[method-assign]
    return app


def __getattr__(name: str):
    # `uvicorn app.main:app` builds the app on first access, so importing this module reads no settings
    if name == "app":
        settings = Settings()
        configure_logging(settings.log_json)
        return create_app(settings)
    raise AttributeError(name)
