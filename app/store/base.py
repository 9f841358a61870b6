"""The one vector-store interface every backend implements."""

from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import Enum
from typing import Any, NamedTuple, Protocol

from app.store.conditions import Filter


class FieldType(str, Enum):
    """Payload index types, named the same in both Qdrant APIs."""

    KEYWORD = "keyword"
    FLOAT = "float"
    GEO = "geo"
    TENANT = "tenant"  # a keyword that partitions the data: Qdrant servers lay points out by it (is_tenant)
    # a float only listed by or ordered on, never a match filter: indexed without graph links of its own
    # (enable_hnsw false; with them, an index build also links each range of ~full-scan-threshold points)
    ORDER = "order"


def index_outdated(ftype: FieldType, params: Any) -> bool:
    """Whether a stored payload index (its `params`, as either Qdrant API reports them) should be created
    again: an ORDER field indexed before ORDER existed, with graph links."""
    return ftype is FieldType.ORDER and getattr(params, "enable_hnsw", None) is not False


@dataclass(frozen=True)
class Sparse:
    """A sparse vector (term ids and weights), e.g. BM25 term frequencies; the store applies IDF."""

    indices: tuple[int, ...]
    values: tuple[float, ...]


class SearchPlan(NamedTuple):
    ef: int | None  # HNSW search depth (None: the engine's)
    acorn: bool = False
    exact: bool = False  # every point that passes the filter, scored with its original vector


@dataclass(frozen=True)
class StoreLayout:
    """How collections are laid out and searched (scripts/bench_scale.py measures the choices).

    Unset values leave the engine's defaults. `quantization="int8"` keeps int8 copies of the vectors in
    RAM for the HNSW search and rescores the best `oversampling` x limit with the originals, which may
    then live on disk (`vectors_on_disk`). Shards, replicas and write consistency apply on a Qdrant
    server (a cluster in distributed mode); the embedded engine is one shard."""

    quantization: str = "none"  # "none" or "int8"
    oversampling: float = 2.0
    vectors_on_disk: bool | None = None
    payload_on_disk: bool | None = None
    hnsw_m: int | None = None
    hnsw_ef_construct: int | None = None
    hnsw_ef: int | None = None  # candidates examined per search; more = better recall, slower
    acorn: bool = False  # ACORN-1 for restrictive filters: better filtered recall, some extra cost
    full_scan_kb: int | None = None  # filters keeping fewer vectors than this (KB): scanned, not the graph (at build)
    shards: int | None = None
    replication_factor: int | None = None
    write_consistency_factor: int | None = None
    acorn_ef: int | None = None  # search depth of ACORN searches (None: hnsw_ef)
    acorn_max_selectivity: float = 0.9  # ACORN for filters estimated to keep at most this share of the points
    warm_up: bool = True  # embedded engine: read the collections' files into the OS page cache on start
    exact_max_points: int | None = None  # filters estimated to keep at most this many points: exact search
    narrow: bool = True  # embedded engine: leave out keyword matches every stored point passes (checked on the hits)
    # segments hold at most this many KB of dense vectors (Qdrant's max_segment_size); the embedded store
    # indexes each as it fills, so neither the unindexed segment nor an index build grows with the collection
    max_segment_kb: int | None = None
    # embedded engine: segments whose payload indexes estimate at most this many points under a filter scan
    # them (int8 copies, rescored) instead of the graph, whatever threshold their index was built with
    scan_max_points: int | None = None

    @property
    def quantized(self) -> bool:
        return self.quantization == "int8"

    @property
    def hnsw_set(self) -> bool:
        """Whether the index's build parameters differ from the engine's."""
        return self.hnsw_m is not None or self.hnsw_ef_construct is not None or self.full_scan_kb is not None

    def segment_points(self, dim: int) -> int | None:
        """Points of `dim` float32 dimensions in a full segment (None: segments are not capped)."""
        return None if self.max_segment_kb is None else max(1, self.max_segment_kb * 1024 // (dim * 4))

    @property
    def search_set(self) -> bool:
        """Whether searches need parameters of their own (depth, rescoring, ACORN, exact)."""
        return self.quantized or self.hnsw_ef is not None or self.acorn or self.exact_max_points is not None

    def plan(self, selectivity: float | None, total: int | None = None) -> SearchPlan:
        """How to search under a filter keeping `selectivity` of the `total` points (as the payload indexes
        estimate them; None: unknown or no filter). A restrictive filter leaves the HNSW graph few paths
        between the points it keeps, so a graph search misses some of the nearest: up to `exact_max_points`
        passing points are cheaper to score one by one (exact, original vectors) than to find in the graph;
        ACORN also walks through neighbours' neighbours, at a cost that a broad filter need not pay."""
        if selectivity is not None:
            if self.exact_max_points is not None and total is not None and selectivity * total <= self.exact_max_points:
                return SearchPlan(None, False, True)
            if self.acorn and selectivity <= self.acorn_max_selectivity:
                return SearchPlan(self.acorn_ef or self.hnsw_ef, True)
        return SearchPlan(self.hnsw_ef, False)

    @property
    def needs_selectivity(self) -> bool:
        """Whether `plan` depends on the filter (so a filtered search estimates its selectivity first)."""
        return self.acorn or self.exact_max_points is not None


SPARSE = "bm25"  # the one sparse named vector of a hybrid collection
RRF_K = 60  # reciprocal rank fusion: 1 / (k + rank), the constant of the original paper and of Qdrant


def dense_part(vector) -> list[float] | None:
    """The unnamed dense vector of what either Qdrant API returns (a list, or a dict of named vectors)."""
    if isinstance(vector, dict):
        vector = vector.get("")
    return list(vector) if vector is not None else None


def sparse_part(vector) -> Sparse | None:
    """The SPARSE vector of what either Qdrant API returns (both types have indices and values)."""
    v = vector.get(SPARSE) if isinstance(vector, dict) else None
    return None if v is None else Sparse(tuple(v.indices), tuple(v.values))


@dataclass
class StoredPoint:
    id: str
    payload: dict[str, Any]
    vector: list[float] | None = None
    sparse: Sparse | None = None  # stored under SPARSE in collections created with `sparse=True`


@dataclass
class Hit:
    id: str
    score: float
    payload: dict[str, Any]
    vector: list[float] | None = None
    lexical: float = 0.0  # hybrid search only: the BM25 score (with IDF) of the sparse vector
    sparse: Sparse | None = None  # hybrid search only: the stored sparse vector (its indices are the text's terms)
    semantic: float = 0.0  # hybrid search only: the dot product of the query and the stored dense vector


class VectorStore(Protocol):
    """Collections of vectors with payload; ids are UUID strings; scores are dot products."""

    backend: str

    def ensure_collection(self, name: str, dim: int, indexes: dict[str, FieldType], sparse: bool = False) -> None:
        """Create or open; `sparse` adds the SPARSE vector (with Qdrant's IDF modifier), also to an old one."""

    def upsert(self, name: str, points: list[StoredPoint]) -> None: ...

    def retrieve(
        self, name: str, ids: list[str], with_vector: bool = False, fields: tuple[str, ...] | None = None
    ) -> list[StoredPoint]:
        """Points by id (missing ids are skipped); `fields` limits the payload to those keys."""

    def set_payload(self, name: str, point_id: str, fields: dict[str, Any]) -> None:
        """Set (add or overwrite) these payload keys of one point, keeping its vectors and other keys."""

    def set_payload_where(self, name: str, flt: Filter, fields: dict[str, Any]) -> None:
        """Set these payload keys on every point the filter selects."""

    def exists(self, name: str, point_id: str) -> bool:
        """Whether a point is stored, without reading its payload."""

    def delete(self, name: str, ids: list[str]) -> None: ...

    def search(
        self,
        name: str,
        vector: list[float],
        flt: Filter | None,
        limit: int,
        offset: int = 0,
        with_vector: bool = False,
        score_threshold: float | None = None,
        fields: tuple[str, ...] | None = None,
        exact: bool = False,
    ) -> list[Hit]:
        """Nearest points, best first; `fields` limits the payload to those keys (None: all of it); `exact`
        compares with every point (no index, no quantization): the ground truth of recall."""

    def hybrid(
        self,
        name: str,
        vector: list[float],
        sparse: Sparse,
        flt: Filter | None,
        limit: int,
        fields: tuple[str, ...] | None = None,
        prefetch: Sparse | None = None,
        with_vector: bool = False,
    ) -> list[Hit]:
        """Dense and sparse nearest points fused by reciprocal rank in Qdrant's query API, best first, with
        their stored sparse vectors (dense ones too `with_vector`); each hit's `semantic` is the dot product
        of `vector` and its dense vector and its `lexical` its BM25 score under `sparse` (0 when it has none
        of its terms), both scored by the engine on the fused points alone; the sparse search runs with
        `prefetch` (default: `sparse`); `fields` limits the payload to those keys (None: all of it)."""

    def sample_sparse(self, name: str, limit: int) -> list[Sparse]:
        """The sparse vectors of up to `limit` stored points (in id order, so a sample unrelated to content)."""
        ...

    def find(self, name: str, flt: Filter, limit: int) -> list[StoredPoint]: ...

    def delete_by(self, name: str, flt: Filter) -> None: ...

    def page(
        self, name: str, order_key: str, limit: int, offset: int, flt: Filter | None = None, descending: bool = False
    ) -> list[StoredPoint]: ...

    def count(self, name: str, flt: Filter | None = None) -> int: ...

    def bulk_load(self, name: str) -> AbstractContextManager[None]:
        """Writes inside the block may leave index building until it ends (one build, not many)."""
        ...

    def wait_idle(self, timeout: float = 600.0) -> None:
        """Return once no index build this process started is running (or after `timeout`)."""

    def optimize(self, name: str) -> bool:
        """Index what waits to be indexed now, in this process (benchmarks time it); True if it changed."""
        ...

    def info(self) -> dict[str, Any]: ...

    def close(self) -> None: ...
