"""The composition root: settings in, the whole service graph out, built once and closed once.

The app's lifespan, the scripts that need the graph (`jobmatch-reindex`, the benchmarks) and the tests
all use `Services.build`; nothing else wires these parts together."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry

from app.domain import Kind
from app.encoder.base import Encoder
from app.encoder.factory import build_encoder
from app.ingest.imports import FINISHED, Claims, ImportBook, ImportJob, ImportRunner
from app.ingest.webhooks import PENDING, WebhookSender
from app.matching.calibration import load_calibration, ranking_profile
from app.matching.normalize import Normalizer
from app.matching.occupations import OccupationIndex
from app.matching.pool_terms import PoolTerms
from app.matching.records import Records
from app.matching.renormalize import Renormalizer
from app.matching.revisions import RedisRevisions, Revisions
from app.matching.rules import RuleBook, anchor_embedder
from app.matching.scorer import MatchScorer
from app.matching.service import Matcher
from app.metrics import ServiceCollector, app_registry
from app.reference.loader import ReferenceLoader
from app.settings import Settings
from app.store import VectorStore, open_store

log = logging.getLogger("jobmatch")


def _no_row_check(row: Any) -> dict:
    if not isinstance(row, dict):
        raise TypeError("an import row must be an object")
    return row


def _replica_state(settings: Settings) -> tuple[ImportBook, Claims, Revisions]:
    """What the API keeps besides the vectors: imports, leases, revisions. On the local disk, or in Redis
    shared by every replica (JOBMATCH_REDIS_URL)."""
    if not settings.redis_url:
        return ImportBook(settings.data_dir), Claims(), Revisions(settings.data_dir)
    from app.ingest.shared import RedisClaims, RedisImportBook, connect

    client = connect(settings.redis_url)
    return (
        RedisImportBook(settings.data_dir, client, settings.redis_prefix),
        RedisClaims(client, settings.redis_prefix, settings.lease_s),
        RedisRevisions(client, settings.redis_prefix),
    )


def _webhook_pending(job: ImportJob) -> bool:
    return (job.webhook or {}).get("status") == PENDING


@dataclass
class Services:
    """Every long-lived part of the service. `start()` runs the background workers (imports, reference
    occupations, re-normalisation, webhooks); scripts that only read or re-embed never start them."""

    settings: Settings
    encoder: Encoder
    store: VectorStore
    scorer: MatchScorer
    occupations: OccupationIndex
    rules: RuleBook
    normalizer: Normalizer
    records: Records
    matcher: Matcher
    imports: ImportRunner
    reference: ReferenceLoader
    renormalizer: Renormalizer
    webhooks: WebhookSender
    metrics: CollectorRegistry
    started: bool = field(default=False)

    @classmethod
    def build(
        cls,
        settings: Settings,
        encoder: Encoder | None = None,
        *,
        validate_row: Any = None,
        describe_import: Any = None,
    ) -> Services:
        """Load the encoder (unless one is given: tests share one), open the store and wire every part.

        `validate_row` checks an import row against the API's schema; `describe_import` renders an import
        for its webhook body. The API passes both; scripts that run no imports need neither."""
        enc = encoder or build_encoder(settings)
        store = open_store(settings)
        book, claims, revisions = _replica_state(settings)
        calibration = load_calibration(enc)
        scorer = MatchScorer(enc, calibration)
        occupations = OccupationIndex(  # owns the occupation ranking fitted with the model's calibration
            enc,
            store,
            enc.model_id,
            weights=ranking_profile(calibration),
            revisions=revisions,
        )
        rules = RuleBook(
            store,
            enc.dim,
            enc.model_id,
            anchor_embedder(enc, occupations.vector_of),
            settings.rule_if_threshold,
            settings.rule_exclude_threshold,
            revisions,
        )
        normalizer = Normalizer(enc, occupations, rules, scorer, settings.no_match_threshold)
        records = Records(enc, store, scorer, normalizer)
        for part in (records, occupations, rules):
            part.open()
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        holder: dict[str, ImportRunner] = {}
        webhooks = WebhookSender(
            book.get,
            book.save,
            lambda job: describe_import(job, holder["runner"]) if describe_import else {"id": job.id},
            secret,
            settings.webhook_attempts,
            settings.webhook_first_delay_s,
            claims=claims,
            pending=lambda: [j.id for j in book.all() if j.status in FINISHED and _webhook_pending(j)],
        )

        def on_finished(job: ImportJob) -> None:
            webhooks.schedule(job.id, 0.0)

        imports = ImportRunner(
            book,
            records.put_many,
            validate_row or _no_row_check,
            lambda: store.bulk_load(Kind.CANDIDATE.value),
            settings.import_batch_size,
            max_pending=settings.max_pending_imports,
            on_finished=on_finished,
            claims=claims,
        )
        holder["runner"] = imports
        registry = app_registry(
            ServiceCollector(
                lambda: enc.gate.waiting,
                lambda: store.info().get("collections") or {k.value: {"points": store.count(k.value)} for k in Kind},
            )
        )
        return cls(
            settings=settings,
            encoder=enc,
            store=store,
            scorer=scorer,
            occupations=occupations,
            rules=rules,
            normalizer=normalizer,
            records=records,
            matcher=Matcher(
                enc,
                store,
                records,
                scorer,
                rules,
                settings.match_threshold,
                pool_terms=PoolTerms(store, settings.match_pool_max_share),
            ),
            imports=imports,
            reference=ReferenceLoader(occupations, settings.reference_occupations, settings.data_dir),
            renormalizer=Renormalizer(records),
            webhooks=webhooks,
            metrics=registry,
        )

    def start(self) -> None:
        """Resume imports, load reference occupations, keep tags current, deliver pending webhooks."""
        self.imports.start()
        self.reference.start()
        self.renormalizer.start()
        self.webhooks.start([j.id for j in self.imports.book.all() if _webhook_pending(j)])
        self.started = True
        log.info("jobmatch ready: model %s, store %s", self.encoder.model_id, self.store.backend)

    def close(self) -> None:
        """Stop the workers (an import stops after its batch) and close the store."""
        if self.started:
            self.imports.stop()
            self.reference.stop()
            self.renormalizer.stop()
            self.webhooks.stop()
        self.store.close()

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
