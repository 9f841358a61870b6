"""Service configuration: every knob is an environment variable with the JOBMATCH_ prefix."""

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.domain import DEFAULT_TENANT
from app.matching.normalize import NO_MATCH_THRESHOLD
from app.matching.rules import EXCLUDE_THRESHOLD, IF_THRESHOLD
from app.store.base import StoreLayout


class Settings(BaseSettings):
    """Read once at start-up by `create_app`; never imported as a global."""

    model_config = SettingsConfigDict(env_prefix="JOBMATCH_", extra="ignore")

    data_dir: Path = Field(Path("./data"), description="Folder of the embedded Qdrant store.")
    qdrant_url: str | None = Field(None, description="Use this Qdrant server instead of the embedded store.")
    qdrant_api_key: SecretStr | None = Field(None, description="API key for the Qdrant server, if it needs one.")
    collection_prefix: str = Field("jobmatch_", description="Prefix of the collection names on a Qdrant server.")
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description=(
            "Comma-separated bearer keys; empty = no auth on /v1. `tenant:key` gives the key to a tenant (lowercase "
            "letters, digits, - and _); a key without a prefix belongs to the operator's tenant `default`."
        ),
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "Comma-separated origins a browser frontend may call the API from (e.g. https://hr.example.com), "
            "or * for any; empty = no CORS headers."
        ),
    )
    blind_matches: bool = Field(False, description="Match responses hide names and gender/age cues by default.")
    log_json: bool = Field(False, description="Log one JSON object per line (with request_id) instead of text.")
    model_path: Path | None = Field(None, description="Sentence-transformers model folder; default: bundled MiniLM.")
    encoder_backend: Literal["auto", "onnx", "torch"] = Field(
        "auto", description="auto = ONNX Runtime when models/<model>/onnx holds an export of the served weights."
    )
    encoder_threads: int | None = Field(None, ge=1, le=256, description="ONNX Runtime threads; default: all cores.")
    encode_batch_size: int = Field(32, ge=1, le=1024)
    chunk_words: int = Field(150, ge=16, le=1000, description="Words per chunk when a text exceeds the model window.")
    max_chunks: int = Field(8, ge=1, le=64, description="Chunks encoded per long text; the rest is dropped.")
    chunk_pooling: Literal["max", "mean", "truncate"] = Field(
        "mean", description="How chunk vectors of a long text become one vector (truncate = first window only)."
    )
    max_body_bytes: int = Field(8 * 1024 * 1024, ge=1024, description="Largest accepted request body (413 above).")
    max_bulk_items: int = Field(1000, ge=1, le=10000)
    max_import_bytes: int = Field(4 * 1024**3, ge=1024, description="Largest file accepted by /v1/imports.")
    import_callback_url: str | None = Field(
        None, description="Default callback_url of imports (webhook when one ends)."
    )
    webhook_secret: SecretStr | None = Field(None, description="HMAC-SHA256 key that signs webhook deliveries.")
    webhook_attempts: int = Field(6, ge=1, le=50, description="Attempts per webhook delivery before it is failed.")
    webhook_first_delay_s: float = Field(2.0, gt=0, le=3600, description="Wait before the first retry; doubles.")
    max_concurrent_uploads: int = Field(2, ge=1, le=64, description="Import uploads received at once (429 above).")
    max_pending_imports: int = Field(
        16,
        ge=1,
        le=10_000,
        description=(
            "Imports queued or running at once (429 above); with max_import_bytes it bounds the disk they use."
        ),
    )
    import_batch_size: int = Field(64, ge=1, le=10000, description="Records an import stores at a time.")
    no_match_threshold: float = Field(
        NO_MATCH_THRESHOLD,
        ge=0,
        le=1,
        description="Occupation normalisation: below this best confidence no_good_match is true.",
    )
    match_pool_max_share: float | None = Field(
        None,
        gt=0,
        le=1,
        description="Job <-> candidate matches: find the records worth scoring without the query's BM25 terms "
        "found in more than this share of the stored records (their postings are the longest); every term "
        "still counts in the lexical score. Unset: with all of them.",
    )
    match_threshold: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Job <-> candidate matches: below this best confidence no_good_match is true "
        "(default: the threshold fitted with the match model).",
    )
    rule_if_threshold: float = Field(
        IF_THRESHOLD, ge=-1, le=1, description="Default cosine for a rule's if_near anchor."
    )
    rule_exclude_threshold: float = Field(
        EXCLUDE_THRESHOLD,
        ge=-1,
        le=1,
        description="Default cosine for a rule's exclude_near anchor (scripts/evaluate_rules.py).",
    )
    reference_occupations: str = Field(
        "esco",
        description=(
            "Reference occupations loaded on first start, in the background: esco (ESCO v1.2.0, shipped), none, or "
            "the path of a CSV (ESCO's columns or id,label,alt_labels,description,group)."
        ),
    )
    store_quantization: Literal["none", "int8"] = Field(
        "none",
        description="int8: search int8 copies of the vectors held in RAM, rescore the best with the originals.",
    )
    store_oversampling: float = Field(2.0, ge=1.0, le=10.0, description="Rescored candidates per result (int8).")
    store_vectors_on_disk: bool | None = Field(None, description="Keep the original vectors on disk (mmap).")
    store_payload_on_disk: bool | None = Field(None, description="Keep payloads on disk (mmap).")
    hnsw_m: int | None = Field(None, ge=4, le=128, description="HNSW links per node (engine default 16).")
    hnsw_ef_construct: int | None = Field(None, ge=4, le=2000, description="HNSW build depth (default 100).")
    hnsw_ef: int | None = Field(None, ge=1, le=4096, description="HNSW search depth (engine default).")
    hnsw_acorn: bool = Field(False, description="ACORN-1 search for restrictive filters (better filtered recall).")
    hnsw_acorn_ef: int | None = Field(None, ge=1, le=4096, description="Search depth of ACORN searches (HNSW_EF).")
    hnsw_acorn_max_selectivity: float = Field(
        StoreLayout.acorn_max_selectivity,
        gt=0,
        le=1,
        description="ACORN for filters that keep at most this share of the collection (estimated).",
    )
    hnsw_exact_max_points: int | None = Field(
        None,
        ge=0,
        description=(
            "Filtered searches the payload indexes estimate to keep at most this many points score every one "
            "of them exactly (original vectors) instead of searching the graph. Unset: never."
        ),
    )
    store_warm_up: bool = Field(
        StoreLayout.warm_up,
        description="Embedded store: read the collections' files into the OS page cache in the background on start.",
    )
    hnsw_full_scan_kb: int | None = Field(
        None,
        ge=1,
        description=(
            "Filters keeping fewer vectors than this many KB are answered by scanning them (the int8 copies, "
            "rescored, when quantized) instead of the graph; payload values held by more get graph links of "
            "their own. Written into each index when it is built."
        ),
    )
    hnsw_scan_max_points: int | None = Field(
        None,
        ge=1,
        description=(
            "Embedded store: a segment whose payload indexes estimate at most this many points under a filter "
            "scans them (the int8 copies, rescored, when quantized) instead of searching the graph. Written into "
            "each built index on start and after each build; the graph keeps the per-value links of "
            "HNSW_FULL_SCAN_KB. Unset: HNSW_FULL_SCAN_KB decides both."
        ),
    )
    store_max_segment_kb: int | None = Field(
        None,
        ge=1024,
        description=(
            "Segments hold at most this many KB of vectors (1,536 bytes a point at 384 dimensions): the embedded "
            "store indexes each segment as it fills, and writes wait while a build runs once a quarter segment waits, "
            "so an import's memory and each index build stay the size of a segment. Unset: one segment."
        ),
    )
    shard_number: int | None = Field(None, ge=1, le=1000, description="Qdrant server: shards per collection.")
    replication_factor: int | None = Field(None, ge=1, le=10, description="Qdrant server: copies of each shard.")
    write_consistency_factor: int | None = Field(
        None, ge=1, le=10, description="Qdrant server: replicas that must confirm a write before it succeeds."
    )
    redis_url: str | None = Field(
        None,
        description=(
            "Redis shared by every replica of the service: import state, uploaded files and webhook deliveries "
            "live there, and a replica resumes the imports of one that died. Unset: imports on the local disk."
        ),
    )
    redis_prefix: str = Field("jobmatch:", description="Prefix of the service's Redis keys.")
    lease_s: float = Field(
        30.0, gt=0, le=3600, description="Replicas sharing Redis: how long an import's lease outlives its replica."
    )
    optimize_after_writes: int = Field(
        2000, ge=1, description="Every this many writes, build the HNSW index in a child process if enough points wait."
    )

    def store_layout(self) -> StoreLayout:
        """The collections' layout: quantization, what lives on disk, HNSW, shards and replicas."""
        return StoreLayout(
            self.store_quantization,
            self.store_oversampling,
            self.store_vectors_on_disk,
            self.store_payload_on_disk,
            self.hnsw_m,
            self.hnsw_ef_construct,
            self.hnsw_ef,
            self.hnsw_acorn,
            self.hnsw_full_scan_kb,
            self.shard_number,
            self.replication_factor,
            self.write_consistency_factor,
            acorn_ef=self.hnsw_acorn_ef,
            acorn_max_selectivity=self.hnsw_acorn_max_selectivity,
            warm_up=self.store_warm_up,
            exact_max_points=self.hnsw_exact_max_points,
            max_segment_kb=self.store_max_segment_kb,
            scan_max_points=self.hnsw_scan_max_points,
        )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, raw):
        items = raw.split(",") if isinstance(raw, str) else raw or []
        return [str(o).strip().rstrip("/") for o in items if str(o).strip()]

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, raw):
        if raw is None:
            return []
        items = raw.split(",") if isinstance(raw, str) else raw
        return [str(k).strip() if not isinstance(k, SecretStr) else k for k in items if str(k).strip()]

    @field_validator("api_keys")
    @classmethod
    def _tenants_well_formed(cls, keys: list[SecretStr]) -> list[SecretStr]:
        for k in keys:
            split_key(k.get_secret_value())
        return keys

    def tenant_keys(self) -> list[tuple[str, bytes]]:
        """(tenant, key) per configured key."""
        return [(t, key.encode()) for t, key in (split_key(k.get_secret_value()) for k in self.api_keys)]


TENANT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def split_key(raw: str) -> tuple[str, str]:
    """ "acme:secret" -> ("acme", "secret"); "secret" -> ("default", "secret"). A malformed prefix is an
    error at start-up, never a key that silently belongs to nobody."""
    if ":" not in raw:
        return DEFAULT_TENANT, raw
    tenant, _, key = raw.partition(":")
    if not TENANT.match(tenant) or not key:
        raise ValueError(
            "JOBMATCH_API_KEYS: an entry with ':' must be tenant:key, the tenant made of lowercase "
            "letters, digits, - and _ (up to 64), the key not empty"
        )
    return tenant, key
