"""The Qdrant server backend (qdrant-client): a server or cluster from JOBMATCH_QDRANT_URL.

Tests drive it through qdrant-client's in-memory mode (`QdrantClient(":memory:")`), a brute-force
stand-in for the server that shares this translation code; it is never the default.
"""

import functools
import logging
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import httpx
from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from app.errors import StoreUnavailable
from app.store.base import (
    RRF_K,
    SPARSE,
    FieldType,
    Hit,
    Sparse,
    StoredPoint,
    StoreLayout,
    dense_part,
    index_outdated,
    sparse_part,
)
from app.store.conditions import Condition, Filter, GeoRadius, IsEmpty, Match, MatchAny, Range

log = logging.getLogger(__name__)

_SCHEMA = {
    FieldType.KEYWORD: models.PayloadSchemaType.KEYWORD,
    FieldType.FLOAT: models.PayloadSchemaType.FLOAT,
    FieldType.GEO: models.PayloadSchemaType.GEO,
    FieldType.TENANT: models.KeywordIndexParams(type=models.KeywordIndexType.KEYWORD, is_tenant=True),
    FieldType.ORDER: models.FloatIndexParams(type=models.FloatIndexType.FLOAT, enable_hnsw=False),
}


def to_client_condition(c: Condition) -> models.FieldCondition | models.IsEmptyCondition:
    """Translate one neutral condition into qdrant-client's model."""
    if isinstance(c, IsEmpty):
        return models.IsEmptyCondition(is_empty=models.PayloadField(key=c.key))
    if isinstance(c, Match):
        return models.FieldCondition(key=c.key, match=models.MatchValue(value=c.value))
    if isinstance(c, MatchAny):
        return models.FieldCondition(key=c.key, match=models.MatchAny(any=list(c.values)))
    if isinstance(c, Range):
        return models.FieldCondition(key=c.key, range=models.Range(gte=c.gte, lte=c.lte))
    if isinstance(c, GeoRadius):
        center = models.GeoPoint(lat=c.lat, lon=c.lon)
        return models.FieldCondition(key=c.key, geo_radius=models.GeoRadius(center=center, radius=c.meters))
    raise TypeError(f"unsupported condition {c!r}")


def to_client_filter(f: Filter | None) -> models.Filter | None:
    if not f:
        return None
    return models.Filter(
        must=[to_client_condition(c) for c in f.must] or None,
        must_not=[to_client_condition(c) for c in f.must_not] or None,
    )


def _unavailable_on_error(method):
    """Connection failures and server-side 5xx become StoreUnavailable (HTTP 503), not a 500."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (ResponseHandlingException, httpx.TransportError, ConnectionError) as exc:
            raise StoreUnavailable(f"The Qdrant server at {self.url} is not reachable: {exc}. Retry shortly.") from exc
        except UnexpectedResponse as exc:
            if exc.status_code is not None and exc.status_code < 500:
                raise
            raise StoreUnavailable(f"The Qdrant server at {self.url} failed: {exc}. Retry shortly.") from exc

    return wrapper


class ServerStore:
    """Collections are named `<prefix><name>` so that several services can share one server."""

    backend = "server"

    def __init__(
        self, client: QdrantClient, prefix: str = "jobmatch_", url: str | None = None, layout: StoreLayout | None = None
    ):
        self.client = client
        self.prefix = prefix
        self.url = url
        self.layout = layout or StoreLayout()

    @classmethod
    def connect(
        cls, url: str, api_key: str | None = None, prefix: str = "jobmatch_", layout: StoreLayout | None = None
    ) -> "ServerStore":
        """`url` ":memory:" selects qdrant-client's local mode: a test double, never for production."""
        if url == ":memory:":
            return cls(QdrantClient(location=":memory:"), prefix, url, layout)
        store = cls(QdrantClient(url=url, api_key=api_key, timeout=30), prefix, url, layout)
        store.ping()  # fail at start-up, not on the first request
        return store

    @_unavailable_on_error
    def ping(self) -> None:
        self.client.get_collections()

    def _c(self, name: str) -> str:
        return self.prefix + name

    @_unavailable_on_error
    def ensure_collection(self, name: str, dim: int, indexes: dict[str, FieldType], sparse: bool = False) -> None:
        cname = self._c(name)
        sparse_config = {SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)} if sparse else None
        if not self.client.collection_exists(cname):
            self.client.create_collection(cname, sparse_vectors_config=sparse_config, **self.collection_config(dim))
        info = self.client.get_collection(cname)
        if sparse and SPARSE not in (info.config.params.sparse_vectors or {}):  # from before hybrid search
            self.client.update_collection(cname, sparse_vectors_config=sparse_config)
        existing = info.payload_schema or {}
        for field, ftype in indexes.items():
            if field not in existing or index_outdated(ftype, existing[field].params):
                self.client.create_payload_index(cname, field, _SCHEMA[ftype], wait=True)  # type: ignore[arg-type]

    def collection_config(self, dim: int) -> dict[str, Any]:
        """create_collection's arguments for the layout: shards, replicas and write consistency (a cluster),
        int8 quantization kept in RAM, what lives on disk, HNSW."""
        layout = self.layout
        hnsw = None
        if layout.hnsw_set:
            hnsw = models.HnswConfigDiff(
                m=layout.hnsw_m, ef_construct=layout.hnsw_ef_construct, full_scan_threshold=layout.full_scan_kb
            )
        quantization = (
            models.ScalarQuantization(
                scalar=models.ScalarQuantizationConfig(type=models.ScalarType.INT8, quantile=0.99, always_ram=True)
            )
            if layout.quantized
            else None
        )
        return {
            "vectors_config": models.VectorParams(
                size=dim, distance=models.Distance.DOT, on_disk=layout.vectors_on_disk
            ),
            "on_disk_payload": layout.payload_on_disk,
            "hnsw_config": hnsw,
            "quantization_config": quantization,
            "optimizers_config": (
                None if (cap := layout.max_segment_kb) is None else models.OptimizersConfigDiff(max_segment_size=cap)
            ),
            "shard_number": layout.shards,
            "replication_factor": layout.replication_factor,
            "write_consistency_factor": layout.write_consistency_factor,
        }

    def search_params(self, cname: str, client_filter: models.Filter | None) -> models.SearchParams | None:
        """Search parameters of the layout for this filter (see `StoreLayout.plan`): exact for a filter that
        keeps few points, else HNSW depth, ACORN for a restrictive filter, rescoring of int8 candidates."""
        layout = self.layout
        if not layout.search_set:
            return None
        selectivity = total = None
        if layout.needs_selectivity and client_filter is not None:
            total = self.client.count(cname, exact=False).count
            selectivity = self.client.count(cname, count_filter=client_filter, exact=False).count / max(total, 1)
        plan = layout.plan(selectivity, total)
        if plan.exact:
            return models.SearchParams(exact=True)
        quantization = (
            models.QuantizationSearchParams(rescore=True, oversampling=layout.oversampling)
            if layout.quantized
            else None
        )
        return models.SearchParams(
            hnsw_ef=plan.ef,
            quantization=quantization,
            acorn=models.AcornSearchParams(enable=True, max_selectivity=layout.acorn_max_selectivity)
            if plan.acorn
            else None,
        )

    @_unavailable_on_error
    def upsert(self, name: str, points: list[StoredPoint]) -> None:
        if points:
            self.client.upsert(
                self._c(name),
                [models.PointStruct(id=p.id, vector=_vectors(p), payload=p.payload) for p in points],
                wait=True,
            )

    @_unavailable_on_error
    def set_payload(self, name: str, point_id: str, fields: dict[str, Any]) -> None:
        self.client.set_payload(self._c(name), fields, points=[point_id], wait=True)

    @_unavailable_on_error
    def set_payload_where(self, name: str, flt: Filter, fields: dict[str, Any]) -> None:
        self.client.set_payload(
            self._c(name), fields, points=models.FilterSelector(filter=to_client_filter(flt)), wait=True
        )

    @_unavailable_on_error
    def retrieve(
        self, name: str, ids: list[str], with_vector: bool = False, fields: tuple[str, ...] | None = None
    ) -> list[StoredPoint]:
        recs = self.client.retrieve(self._c(name), list(ids), with_payload=_selector(fields), with_vectors=with_vector)
        return [StoredPoint(str(r.id), r.payload or {}, dense_part(r.vector) if with_vector else None) for r in recs]

    @_unavailable_on_error
    def exists(self, name: str, point_id: str) -> bool:
        return bool(self.client.retrieve(self._c(name), [point_id], with_payload=False, with_vectors=False))

    @_unavailable_on_error
    def delete(self, name: str, ids: list[str]) -> None:
        if ids:
            self.client.delete(self._c(name), models.PointIdsList(points=list(ids)), wait=True)

    @_unavailable_on_error
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
        cname, client_filter = self._c(name), to_client_filter(flt)
        res = self.client.query_points(
            cname,
            query=list(vector),
            query_filter=client_filter,
            limit=limit,
            offset=offset,
            with_payload=_selector(fields),
            with_vectors=with_vector,
            score_threshold=score_threshold,
            search_params=models.SearchParams(exact=True) if exact else self.search_params(cname, client_filter),
        )
        return [
            Hit(str(p.id), p.score, p.payload or {}, dense_part(p.vector) if with_vector else None) for p in res.points
        ]

    @_unavailable_on_error
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
        cname, client_filter = self._c(name), to_client_filter(flt)
        query_sparse = models.SparseVector(indices=list(sparse.indices), values=list(sparse.values))
        prefetch = prefetch or sparse
        prefetch_sparse = models.SparseVector(indices=list(prefetch.indices), values=list(prefetch.values))
        params = self.search_params(cname, client_filter)

        def fuse(query):
            return self.client.query_points(
                cname,
                query=query,
                query_filter=client_filter,
                limit=limit,
                with_payload=_selector(fields),
                with_vectors=["", SPARSE] if with_vector else [SPARSE],
                prefetch=[
                    models.Prefetch(query=list(vector), filter=client_filter, limit=limit, params=params),
                    models.Prefetch(query=prefetch_sparse, using=SPARSE, filter=client_filter, limit=limit),
                ],
            ).points

        try:
            fused = fuse(models.RrfQuery(rrf=models.Rrf(k=RRF_K)))
        except UnexpectedResponse as exc:  # a server older than parametrised RRF: its default constant
            if exc.status_code is None or exc.status_code >= 500:
                raise
            log.warning("Qdrant server refused RRF with k=%s (%s); using its default fusion", RRF_K, exc)
            fused = fuse(models.FusionQuery(fusion=models.Fusion.RRF))
        if not fused:
            return []
        ids = [p.id for p in fused]
        # each fused point scored again on its own (one request): its BM25 score under every query term, its
        # dense dot product
        only = models.Filter(must=[models.HasIdCondition(has_id=ids)])
        lexical, semantic = (
            {str(p.id): p.score for p in res.points}
            for res in self.client.query_batch_points(
                cname,
                [
                    models.QueryRequest(
                        query=query_sparse, using=SPARSE, limit=len(ids), with_payload=False, filter=only
                    ),
                    models.QueryRequest(
                        query=list(vector),
                        limit=len(ids),
                        with_payload=False,
                        filter=only,
                        params=models.SearchParams(exact=True),
                    ),
                ],
            )
        )
        hits = []
        for p in fused:
            pid = str(p.id)
            hits.append(
                Hit(
                    pid,
                    p.score,
                    p.payload or {},
                    dense_part(p.vector) if with_vector else None,
                    lexical.get(pid, 0.0),
                    sparse_part(p.vector),
                    semantic.get(pid, 0.0),
                )
            )
        return hits

    @_unavailable_on_error
    def sample_sparse(self, name: str, limit: int) -> list[Sparse]:
        recs, _ = self.client.scroll(self._c(name), limit=limit, with_payload=False, with_vectors=[SPARSE])
        return [s for r in recs if (s := sparse_part(r.vector)) is not None]

    @_unavailable_on_error
    def find(self, name: str, flt: Filter, limit: int) -> list[StoredPoint]:
        recs, _ = self.client.scroll(self._c(name), scroll_filter=to_client_filter(flt), limit=limit)
        return [StoredPoint(str(r.id), r.payload or {}) for r in recs]

    @_unavailable_on_error
    def delete_by(self, name: str, flt: Filter) -> None:
        self.client.delete(self._c(name), models.FilterSelector(filter=to_client_filter(flt)), wait=True)

    @_unavailable_on_error
    def page(
        self, name: str, order_key: str, limit: int, offset: int, flt: Filter | None = None, descending: bool = False
    ) -> list[StoredPoint]:
        recs, _ = self.client.scroll(
            self._c(name),
            limit=offset + limit,
            scroll_filter=to_client_filter(flt),
            order_by=models.OrderBy(
                key=order_key, direction=models.Direction.DESC if descending else models.Direction.ASC
            ),
        )
        return [StoredPoint(str(r.id), r.payload or {}) for r in recs[offset:]]

    @_unavailable_on_error
    def count(self, name: str, flt: Filter | None = None) -> int:
        return self.client.count(self._c(name), count_filter=to_client_filter(flt), exact=True).count

    def bulk_load(self, name: str) -> AbstractContextManager[None]:
        return nullcontext()  # the server's own optimizer decides when to index

    def wait_idle(self, timeout: float = 600.0) -> None:
        return None  # builds run in the server, never in this process

    def optimize(self, name: str) -> bool:
        return False  # the server's own optimizer indexes

    def info(self) -> dict[str, Any]:
        return {"backend": self.backend, "url": self.url or "in-memory"}

    def close(self) -> None:
        self.client.close()


def _vectors(p: StoredPoint):
    if p.sparse is None:
        return list(p.vector or [])
    return {
        "": list(p.vector or []),
        SPARSE: models.SparseVector(indices=list(p.sparse.indices), values=list(p.sparse.values)),
    }


def _selector(fields: tuple[str, ...] | None):
    return True if fields is None else list(fields)
