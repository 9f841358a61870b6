"""The default store: Qdrant's own engine in-process (qdrant-edge-py), one shard per collection."""

import ctypes
import dataclasses
import functools
import json
import logging
import mmap
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import qdrant_edge as qe

from app.errors import InvalidInput, UnreadableRecord
from app.metrics import INDEX_BUILD_SECONDS
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
from app.store.payload_guard import payload_problem
from app.store.scan_threshold import set_scan_threshold

# The engine's payload decoder fails on these; the point itself (id, vector) stays readable.
_DECODE_ERRORS = ("Failed to decode value", "deserialize payload", "RecursionLimitExceeded", "recursion limit")
# doc -> metadata -> client levels: the API bounds metadata far below this; this guards any other path.
_MAX_PAYLOAD_DEPTH = 64

log = logging.getLogger(__name__)

_SCHEMA: dict[FieldType, qe.PayloadSchemaType | qe.FloatIndexParams] = {
    FieldType.KEYWORD: qe.PayloadSchemaType.Keyword,
    FieldType.FLOAT: qe.PayloadSchemaType.Float,
    FieldType.GEO: qe.PayloadSchemaType.Geo,
    FieldType.TENANT: qe.PayloadSchemaType.Keyword,
    FieldType.ORDER: qe.FloatIndexParams(enable_hnsw=False),
}


def to_edge_condition(c: Condition) -> qe.FieldCondition | qe.IsEmptyCondition:
    """Translate one neutral condition into qdrant-edge's type."""
    if isinstance(c, IsEmpty):
        return qe.IsEmptyCondition(c.key)
    if isinstance(c, Match):
        return qe.FieldCondition(c.key, match=qe.MatchValue(c.value))
    if isinstance(c, MatchAny):
        return qe.FieldCondition(c.key, match=qe.MatchAny(list(c.values)))
    if isinstance(c, Range):
        return qe.FieldCondition(c.key, range=qe.RangeFloat(gte=c.gte, lte=c.lte))
    if isinstance(c, GeoRadius):
        return qe.FieldCondition(c.key, geo_radius=qe.GeoRadius(qe.GeoPoint(lon=c.lon, lat=c.lat), c.meters))
    raise TypeError(f"unsupported condition {c!r}")


def to_edge_filter(f: Filter | None) -> qe.Filter | None:
    if not f:
        return None
    return qe.Filter(
        must=[to_edge_condition(c) for c in f.must] or None,
        must_not=[to_edge_condition(c) for c in f.must_not] or None,
    )


# The index build runs in a child process: qdrant-edge-py holds the GIL for the whole of optimize(), which
# would stop every other thread of the service (minutes at 100k points).
INDEXING_THRESHOLD_KB = 10_000  # qdrant-edge's default: segments above it get an HNSW index
_MADV_POPULATE_READ = 22  # Linux 5.14+ (Python's mmap module has no name for it)


def _asks_config(layout: StoreLayout) -> bool:
    """Whether the layout sets anything the engine keeps in a shard's configuration."""
    on_disk = layout.payload_on_disk is not None or layout.vectors_on_disk is not None
    return layout.hnsw_set or layout.quantized or on_disk or layout.max_segment_kb is not None


def _layout_config(layout: StoreLayout, **vectors: Any) -> qe.EdgeConfig:
    """The engine configuration of a layout; the engine wants the `vectors` in every configuration, also
    when it loads a shard."""
    hnsw = None
    if layout.hnsw_set:
        hnsw = qe.HnswIndexConfig(
            m=layout.hnsw_m or 16,
            ef_construct=layout.hnsw_ef_construct or 100,
            full_scan_threshold=layout.full_scan_kb or 10_000,
        )
    quantization = (
        qe.ScalarQuantizationConfig(type=qe.ScalarType.Int8, quantile=0.99, always_ram=True)
        if layout.quantized
        else None
    )
    # the engine's optimizer then merges no segments past the cap (it never splits one: see EdgeStore)
    cap = layout.max_segment_kb
    optimizers = None if cap is None else qe.EdgeOptimizersConfig(max_segment_size=cap)
    return qe.EdgeConfig(
        **vectors,
        on_disk_payload=layout.payload_on_disk,
        hnsw_config=hnsw,
        quantization_config=quantization,
        optimizers=optimizers,
    )


# capped segments: share of a segment written while a build runs before writes wait for it (the writes made
# during a build are held twice when the built copy takes over: in the serving shard and replayed on the copy)
_BACKLOG = 0.25
_BUILD = "import sys, qdrant_edge as qe\nshard = qe.EdgeShard.load(sys.argv[1])\nshard.optimize()\nshard.close()\n"


class EdgeStore:
    """Shards live in `<data_dir>/collections/<name>` (or `<name>@<n>` after a background index build, named
    in `<name>.current`); each keeps its write-ahead log there.

    Once enough points were written, the HNSW index is built in the background without stopping the
    service: the shard is copied, a child process builds the copy's index, writes made meanwhile are
    replayed on it, and the copy takes over. Until then the plain (exact) segments answer queries.

    The engine writes into one appendable segment, held largely in RAM, and never splits a segment. With
    segments capped (`layout.max_segment_kb`), a build starts whenever a segment's worth of points waits,
    also within `bulk_load`, and writes wait while a build runs once a quarter segment waits (`_BACKLOG`):
    the unindexed segment, and each build, stay the size of a segment however large the collection grows.
    """

    backend = "embedded"

    def __init__(self, data_dir: Path, optimize_after_writes: int = 2000, layout: StoreLayout | None = None):
        self.layout = layout or StoreLayout()
        self.root = Path(data_dir) / "collections"
        self.root.mkdir(parents=True, exist_ok=True)
        self.optimize_after_writes = optimize_after_writes
        self._shards: dict[str, qe.EdgeShard] = {}
        self._pending: dict[str, int] = {}
        # points written, or moved out of an indexed segment (a payload update copies the point into the
        # plain appendable segment), since the last index build began: the engine's counts miss moved ones
        self._unindexed: dict[str, int] = {}
        self._optimizing: set[str] = set()
        self._owed: set[str] = set()  # builds asked for while one ran: run once it ends
        self._bulk: dict[str, int] = {}
        self._lock = threading.Lock()
        self._room = threading.Condition(self._lock)  # notified when a build copied the shard or ended (waiting writes)
        self._closed = False
        self.last_optimize_s: dict[str, float] = {}
        self._writing: dict[str, threading.Lock] = {}
        self._dims: dict[str, int] = {}  # one writer at a time per collection (see _update)
        self._journals: dict[str, list] = {}  # writes made while a copy is being indexed, to replay on it
        self._writes: dict[str, int] = {}  # collection -> writes applied (what `_every_point_passes` keys by)
        self._passed_by_all: dict[tuple[str, Match], tuple[int, bool]] = {}  # (_every_point_passes)
        self._builders: dict[str, subprocess.Popen] = {}
        self._retiring: list[tuple[qe.EdgeShard, Path]] = []  # replaced shards, closed once reads are done
        self._warming: dict[str, str] = {}  # collection -> "running" / "done" (layout.warm_up)
        self._resident: dict[Path, list[mmap.mmap]] = {}  # a shard's folder -> its files mapped by the warm-up
        self.retire_after_s = 10.0  # a replaced shard stays open this long for reads that already hold it

    def _path(self, name: str) -> Path:
        pointer = self.root / f"{name}.current"
        return self.root / pointer.read_text().strip() if pointer.exists() else self.root / name

    def ensure_collection(self, name: str, dim: int, indexes: dict[str, FieldType], sparse: bool = False) -> None:
        if name in self._shards:
            return
        path = self._path(name)
        for stale in [self.root / name, *self.root.glob(f"{name}@*")]:  # builds cut short, replaced shards
            if stale != path and stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
        sparse_params = {SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)} if sparse else None
        vectors = qe.EdgeVectorParams(size=dim, distance=qe.Distance.Dot, on_disk=self.layout.vectors_on_disk)
        if (path / "edge_config.json").exists() or any(path.glob("segments*")):
            # a layout that asks for something is applied to the loaded shard; else it keeps its own configuration
            sparse_now = sparse_params if _has_sparse(path) else None
            config = (
                _layout_config(self.layout, vectors=vectors, sparse_vectors=sparse_now)
                if _asks_config(self.layout)
                else None
            )
            set_scan_threshold(path, self.layout.scan_max_points)
            shard = qe.EdgeShard.load(str(path), config)
            stored, loaded = shard.info().payload_schema, True
            if sparse and not _has_sparse(path):  # a collection from before hybrid search
                shard.update(qe.UpdateOperation.create_sparse_vector(SPARSE, modifier=qe.Modifier.Idf))
        else:
            shard = qe.EdgeShard.create(
                str(path), _layout_config(self.layout, vectors=vectors, sparse_vectors=sparse_params)
            )
            stored, loaded = {}, False
        for field, ftype in indexes.items():
            if field not in stored or index_outdated(ftype, stored[field].params):
                shard.update(qe.UpdateOperation.create_field_index(field, _SCHEMA[ftype]))
        self._shards[name] = shard
        self._pending[name] = 0
        self._unindexed[name] = _read_count(self._unindexed_file(name))
        self._writing[name] = threading.Lock()
        self._dims[name] = dim
        if self.layout.warm_up and loaded:  # a shard with data: its first queries should not wait on the disk
            self._warming[name] = "running"
            threading.Thread(target=self._warm_up, args=(name, path), name=f"warm-up {name}", daemon=True).start()

    def _warm_up(self, name: str, path: Path) -> None:
        """Map a loaded shard's files and touch each page that holds data, keeping the mappings while the
        shard is open: the engine maps its on-disk vectors and payloads, and the first query to touch a page
        not in the OS page cache waits for the disk (about 20 ms a query at 300,000 candidates, against 3 ms
        once cached). Pages mapped by a process stay cached where pages merely read do not: a kernel that
        reclaims idle page cache (DAMON's reclaim, as on the development VM, pages out unmapped file pages
        idle for a minute) would otherwise undo the warm-up before the queries come. Under memory pressure
        the kernel still reclaims them. Stops at half the memory the system has available; the write-ahead
        log is left out."""
        budget = _available_bytes() // 2
        try:
            for file in sorted(f for f in path.rglob("*") if f.is_file() and "wal" not in f.relative_to(path).parts):
                if budget <= 0 or self._closed:
                    break
                mapped, touched = _touch_pages(file, budget)
                budget -= touched
                if mapped is not None:
                    with self._lock:
                        self._resident.setdefault(path, []).append(mapped)
                        if self._closed or self._path(name) != path:  # closed, or replaced by an index build
                            _release(self._resident.pop(path))
        except OSError:  # the shard was replaced (an index build) or closed meanwhile
            pass
        self._warming[name] = "done"

    def _update(self, name: str, op, ids: list[str] | None = None) -> None:
        """Every write: applied to the shard, and remembered while a copy of it is being indexed. An upsert
        is remembered by its `ids` only, its points read back from this shard when the copy takes over
        (`_replay`): an import's journal would otherwise hold every payload written during a build, in
        the engine's form, several times the size of the points (a title vector is 384 JSON numbers)."""
        with self._writing[name]:
            self._shard(name).update(op)
            self._writes[name] = self._writes.get(name, 0) + 1  # after the write: counts made before it are stale
            if (journal := self._journals.get(name)) is not None:
                journal.append(op if ids is None else ids)

    def _params(self, name: str, edge_filter: qe.Filter | None) -> qe.SearchParams | None:
        """Search parameters of the layout for this filter (`StoreLayout.plan`, the filter's selectivity
        estimated by the payload indexes): exact, or HNSW depth, ACORN, rescoring of int8 candidates."""
        layout = self.layout
        if not layout.search_set:
            return None
        selectivity = total = None
        if layout.needs_selectivity and edge_filter is not None:
            shard = self._shard(name)
            total = shard.count(qe.CountRequest(exact=False))
            selectivity = shard.count(qe.CountRequest(filter=edge_filter, exact=False)) / max(total, 1)
        plan = layout.plan(selectivity, total)
        if plan.exact:
            return qe.SearchParams(exact=True)
        quantization = (
            qe.QuantizationSearchParams(rescore=True, oversampling=layout.oversampling) if layout.quantized else None
        )
        return qe.SearchParams(
            hnsw_ef=plan.ef,
            quantization=quantization,
            acorn=qe.AcornSearchParams(enable=True, max_selectivity=layout.acorn_max_selectivity)
            if plan.acorn
            else None,
        )

    def _shard(self, name: str) -> qe.EdgeShard:
        try:
            return self._shards[name]
        except KeyError:
            raise KeyError(f"collection {name!r} is not open") from None

    def upsert(self, name: str, points: list[StoredPoint]) -> None:
        if not points:
            return
        for p in points:
            if (problem := payload_problem(p.payload, "payload", _MAX_PAYLOAD_DEPTH)) is not None:
                raise InvalidInput(f"Point {p.id} cannot be stored: {problem}.", {"id": p.id})
        self._wait_for_room(name)
        op = qe.UpdateOperation.upsert_points([qe.Point(p.id, _vectors(p), p.payload) for p in points])
        self._update(name, op, [p.id for p in points])
        self._note_writes(name, len(points))

    def set_payload(self, name: str, point_id: str, fields: dict[str, Any]) -> None:
        if (problem := payload_problem(fields, "payload", _MAX_PAYLOAD_DEPTH)) is not None:
            raise InvalidInput(f"Point {point_id} cannot be stored: {problem}.", {"id": point_id})
        self._update(name, qe.UpdateOperation.set_payload([point_id], fields))
        self._note_writes(name, 1)

    def set_payload_where(self, name: str, flt: Filter, fields: dict[str, Any]) -> None:
        edge_filter = to_edge_filter(flt)
        moved = self._shard(name).count(qe.CountRequest(filter=edge_filter, exact=True))
        if moved:
            self._update(name, qe.UpdateOperation.set_payload_by_filter(edge_filter, fields))  # type: ignore[arg-type]
            self._note_writes(name, moved)

    def retrieve(
        self, name: str, ids: list[str], with_vector: bool = False, fields: tuple[str, ...] | None = None
    ) -> list[StoredPoint]:
        def read() -> list[StoredPoint]:
            recs = self._shard(name).retrieve(list(ids), with_payload=_selector(fields), with_vector=with_vector)
            return [
                StoredPoint(str(r.id), r.payload or {}, dense_part(r.vector) if with_vector else None) for r in recs
            ]

        def one_by_one() -> list[StoredPoint]:
            if len(ids) == 1:
                raise UnreadableRecord(
                    f"Record {ids[0]} is stored but its data cannot be read (it was written with metadata nested "
                    "too deep for the store). Delete it and send it again.",
                    {"id": ids[0]},
                )
            return [p for i in ids for p in self._readable(name, i, with_vector, fields)]

        return _unless_undecodable(read, one_by_one)

    def _readable(
        self, name: str, point_id: str, with_vector: bool, fields: tuple[str, ...] | None
    ) -> list[StoredPoint]:
        """The point alone, or nothing when its payload cannot be decoded (logged, never fatal to a page)."""
        try:
            return self.retrieve(name, [point_id], with_vector, fields)
        except UnreadableRecord:
            log.warning("skipping point %s in %s: its payload cannot be decoded; delete it", point_id, name)
            return []

    def exists(self, name: str, point_id: str) -> bool:
        """Whether a point is stored, without decoding its payload (works for unreadable points too)."""
        return bool(self._shard(name).retrieve([point_id], with_payload=False, with_vector=False))

    def delete(self, name: str, ids: list[str]) -> None:
        if not ids:
            return
        shard = self._shard(name)
        # Deleting reads the old payload (to update payload indexes), and a failed update leaves the shard
        # refusing every later write: replace an unreadable payload first (overwriting does not read it).
        if not _decodes(shard, ids):
            for point_id in (i for i in ids if not _decodes(shard, [i])):
                for bare in shard.retrieve([point_id], with_payload=False, with_vector=True):
                    self._update(name, qe.UpdateOperation.upsert_points([qe.Point(point_id, bare.vector, {})]))  # type: ignore[arg-type]
        self._update(name, qe.UpdateOperation.delete_points(list(ids)))

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
        return self._checked(
            name,
            flt,
            fields,
            lambda f, keys: self._search(name, vector, f, limit, offset, with_vector, score_threshold, keys, exact),
        )

    def _checked(
        self,
        name: str,
        flt: Filter | None,
        fields: tuple[str, ...] | None,
        run: Callable[[Filter | None, tuple[str, ...] | None], list[Hit]],
    ) -> list[Hit]:
        """`run(filter, fields)` under the narrowed filter, its hits checked against the conditions left out
        (their keys read, not returned); again under the whole filter if one fails (`_narrowed`)."""
        narrowed, dropped = self._narrowed(name, flt)
        if dropped:
            wanted = None if fields is None else tuple(dict.fromkeys([*fields, *(c.key for c in dropped)]))
            hits = run(narrowed, wanted)
            if all(_passes(h.payload, dropped) for h in hits):
                return hits if wanted == fields else [_only(h, fields) for h in hits]  # type: ignore[arg-type]
        return run(flt, fields)

    def _search(
        self,
        name: str,
        vector: list[float],
        flt: Filter | None,
        limit: int,
        offset: int,
        with_vector: bool,
        score_threshold: float | None,
        fields: tuple[str, ...] | None,
        exact: bool,
    ) -> list[Hit]:
        edge_filter = to_edge_filter(flt)
        params = qe.SearchParams(exact=True) if exact else self._params(name, edge_filter)

        def request(payload):
            return qe.QueryRequest(
                limit=limit,
                offset=offset,
                query=qe.Query.Nearest(list(vector)),
                filter=edge_filter,
                with_payload=payload,
                with_vector=with_vector,
                score_threshold=score_threshold,
                params=params,
            )

        def read() -> list[Hit]:
            return [
                Hit(str(p.id), p.score, p.payload or {}, dense_part(p.vector) if with_vector else None)
                for p in self._shard(name).query(request(_selector(fields)))
            ]

        def one_by_one() -> list[Hit]:
            return [
                Hit(str(p.id), p.score, r.payload, dense_part(p.vector) if with_vector else None)
                for p in self._shard(name).query(request(False))
                for r in self._readable(name, str(p.id), False, fields)
            ]

        return _unless_undecodable(read, one_by_one)

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
        return self._checked(
            name,
            flt,
            fields,
            lambda f, keys: self._hybrid(name, vector, sparse, f, limit, keys, prefetch or sparse, with_vector),
        )

    def _every_point_passes(self, name: str, condition: Match) -> bool:
        """Whether the payload indexes count every stored point under `condition`; remembered until the next
        write to the collection (every match asks it of its tenant and model, two counts each)."""
        writes = self._writes.get(name, 0)
        known = self._passed_by_all.get((name, condition))
        if known is not None and known[0] == writes:
            return known[1]
        shard = self._shard(name)
        total = shard.count(qe.CountRequest(exact=False))
        passed = bool(total) and (
            shard.count(qe.CountRequest(filter=to_edge_filter(Filter(must=[condition])), exact=False)) >= total
        )
        if len(self._passed_by_all) >= 10_000:  # (one entry per keyword value asked for: bounded all the same)
            self._passed_by_all.clear()
        self._passed_by_all[(name, condition)] = (writes, passed)
        return passed

    def sample_sparse(self, name: str, limit: int) -> list[Sparse]:
        points, _ = self._shard(name).scroll(qe.ScrollRequest(limit=limit, with_payload=False, with_vector=[SPARSE]))
        return [s for p in points if (s := sparse_part(p.vector)) is not None]

    def _narrowed(self, name: str, flt: Filter | None) -> tuple[Filter | None, tuple[Match, ...]]:
        """`flt` without the keyword matches that every stored point passes, as the payload indexes count
        them (a store with one tenant and one model: every match carries both). A search checks each
        condition at every point it visits, so these cost time for nothing (14-59% of the store query of a
        match at 1M points, docs/scaling.md). The caller checks its hits against the dropped conditions (`_passes`)
        and searches again under the whole filter if one fails (a point written since the count): no hit
        outside the filter is ever returned."""
        matches = [c for c in flt.must if isinstance(c, Match)] if flt and self.layout.narrow else []
        if not flt or not matches:
            return flt, ()
        dropped = tuple(c for c in matches if self._every_point_passes(name, c))
        if not dropped:
            return flt, ()
        return Filter([c for c in flt.must if c not in dropped], list(flt.must_not)), dropped

    def _hybrid(
        self,
        name: str,
        vector: list[float],
        sparse: Sparse,
        flt: Filter | None,
        limit: int,
        fields: tuple[str, ...] | None,
        prefetch: Sparse,
        with_vector: bool = False,
    ) -> list[Hit]:
        shard, edge_filter = self._shard(name), to_edge_filter(flt)
        query_sparse = qe.SparseVector(list(sparse.indices), list(sparse.values))
        prefetch_sparse = qe.SparseVector(list(prefetch.indices), list(prefetch.values))
        params = self._params(name, edge_filter)

        def fusion(payload: bool) -> list:
            return shard.query(
                qe.QueryRequest(
                    limit=limit,
                    filter=edge_filter,
                    with_payload=_selector(fields) if payload else False,
                    # the dense vector only when asked: each one read is hundreds of Python floats
                    with_vector=True if with_vector else [SPARSE],
                    query=qe.Fusion.Rrf(k=RRF_K),  # type: ignore[arg-type]
                    prefetches=[
                        qe.Prefetch(
                            limit=limit, query=qe.Query.Nearest(list(vector)), filter=edge_filter, params=params
                        ),
                        qe.Prefetch(
                            limit=limit, query=qe.Query.Nearest(prefetch_sparse, using=SPARSE), filter=edge_filter
                        ),
                    ],
                )
            )

        fused = _unless_undecodable(
            lambda: [(str(p.id), p, p.payload or {}) for p in fusion(True)],
            lambda: [
                (str(p.id), p, r.payload) for p in fusion(False) for r in self._readable(name, str(p.id), False, fields)
            ],
        )
        if not fused:
            return []
        # each fused point scored again on its own: its BM25 score under every query term, its dense dot product
        # (one batch: a single call into the engine)
        only = qe.Filter(must=[qe.HasIdCondition({pid for pid, _, _ in fused})])
        lexical, semantic = (
            {str(p.id): p.score for p in points}
            for points in shard.query_batch(
                qe.QueryBatchRequest(
                    [
                        qe.QueryRequest(limit=len(fused), query=query, with_payload=False, filter=only, params=exact)
                        for query, exact in (
                            (qe.Query.Nearest(query_sparse, using=SPARSE), None),
                            (qe.Query.Nearest(list(vector)), qe.SearchParams(exact=True)),
                        )
                    ]
                )
            )
        )
        hits = []
        for pid, p, payload in fused:
            stored = p.vector
            hits.append(
                Hit(
                    pid,
                    p.score,
                    payload,
                    dense_part(stored) if with_vector else None,
                    lexical.get(pid, 0.0),
                    sparse_part(stored),
                    semantic.get(pid, 0.0),
                )
            )
        return hits

    def find(self, name: str, flt: Filter, limit: int) -> list[StoredPoint]:
        return self._scroll(
            name, lambda payload: qe.ScrollRequest(limit=limit, filter=to_edge_filter(flt), with_payload=payload)
        )

    def _scroll(self, name: str, request) -> list[StoredPoint]:
        """Scroll with payloads; if one cannot be decoded, scroll ids only and read the rest one by one."""
        return _unless_undecodable(
            lambda: [StoredPoint(str(r.id), r.payload or {}) for r in self._shard(name).scroll(request(True))[0]],
            lambda: [
                p
                for r in self._shard(name).scroll(request(False))[0]
                for p in self._readable(name, str(r.id), False, None)
            ],
        )

    def delete_by(self, name: str, flt: Filter) -> None:
        self._update(name, qe.UpdateOperation.delete_points_by_filter(to_edge_filter(flt)))  # type: ignore[arg-type]

    def page(
        self, name: str, order_key: str, limit: int, offset: int, flt: Filter | None = None, descending: bool = False
    ) -> list[StoredPoint]:
        # ids first, then payloads of this page only: an unreadable point elsewhere cannot fail the page
        direction = qe.Direction.Desc if descending else qe.Direction.Asc
        bare, _ = self._shard(name).scroll(
            qe.ScrollRequest(
                limit=offset + limit,
                order_by=qe.OrderBy(order_key, direction),
                filter=to_edge_filter(flt),
                with_payload=False,
            )
        )
        ids = [str(r.id) for r in bare[offset:]]
        by_id = {p.id: p for p in (self.retrieve(name, ids) if ids else [])}
        return [by_id[i] for i in ids if i in by_id]

    def count(self, name: str, flt: Filter | None = None) -> int:
        return self._shard(name).count(qe.CountRequest(filter=to_edge_filter(flt), exact=True))

    def optimize(self, name: str) -> bool:
        """Build indexes now, in this process (blocking, and holding the GIL: scripts and tests); returns
        whether anything changed. The service builds in the background instead (`_rebuild`). Segments built
        here search with the build's full-scan threshold until the shard is loaded again (`scan_max_points`)."""
        started = time.perf_counter()
        with self._lock:
            self._unindexed[name] = 0
        changed = self._shard(name).optimize()
        self.last_optimize_s[name] = time.perf_counter() - started
        INDEX_BUILD_SECONDS.labels(name).observe(self.last_optimize_s[name])
        return changed

    @contextmanager
    def bulk_load(self, name: str) -> Iterator[None]:
        """No background index builds while the block writes (but for each full segment, where segments are
        capped); one build of everything at its end (after the one running, if any)."""
        with self._lock:
            self._bulk[name] = self._bulk.get(name, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._bulk[name] -= 1
            self._note_writes(name, 0, at_least=1)

    def _segment_points(self, name: str) -> int | None:
        return self.layout.segment_points(self._dims.get(name, 384))

    def _wait_for_room(self, name: str) -> None:
        """Segments capped: wait while a build runs and a quarter segment was written since its copy (an
        import then goes at the pace of the index builds instead of piling up in RAM)."""
        cap = self._segment_points(name)
        if cap is None:
            return
        backlog = max(1, int(cap * _BACKLOG))
        with self._room:
            while name in self._optimizing and self._unindexed.get(name, 0) >= backlog and not self._closed:
                self._room.wait(1.0)

    def _note_writes(self, name: str, n: int, at_least: int | None = None) -> None:
        with self._lock:
            self._pending[name] += n
            self._unindexed[name] = self._unindexed.get(name, 0) + n
            cap = self._segment_points(name)
            full = cap is not None and self._unindexed[name] >= cap  # a segment's worth: build, bulk or not
            threshold = self.optimize_after_writes if at_least is None else at_least
            if not full and (self._pending[name] < threshold or self._bulk.get(name)):
                return
            if name in self._optimizing:
                if at_least is not None or full:  # a bulk load's end, or a full segment: build after this one
                    self._owed.add(name)
                return
            self._pending[name] = 0
            self._optimizing.add(name)
        threading.Thread(
            target=self._background_optimize, args=(name, at_least is not None or full), daemon=True
        ).start()

    def _background_optimize(self, name: str, forced: bool = False) -> None:
        while True:
            try:
                if not self._closed and (forced or self._worth_building(name)):
                    self._rebuild(name)
            except Exception:  # an index build failing must not take the service down: the old shard serves on
                log.exception("background index build of %s failed", name)
            with self._lock:
                forced = name in self._owed and not self._closed
                self._owed.discard(name)
                self._room.notify_all()
                if not forced:
                    self._optimizing.discard(name)
                    return
                self._pending[name] = 0

    def _worth_building(self, name: str) -> bool:
        """Whether the points not yet indexed fill a segment the engine would index (its default indexing
        threshold): below it a build would only copy the shard to change nothing."""
        info = self._shard(name).info()
        unindexed = max(info.points_count - info.indexed_vectors_count, self._unindexed.get(name, 0))
        return unindexed * self._dims.get(name, 384) * 4 / 1024 >= INDEXING_THRESHOLD_KB

    def _rebuild(self, name: str) -> None:
        """Index a copy of the shard in a child process while this one keeps serving (exact search on the
        segments not yet indexed); replay the writes made meanwhile on the copy; switch to it."""
        started = time.perf_counter()
        current = self._path(name)
        generation = int(current.name.rpartition("@")[2]) if "@" in current.name else 0
        target = self.root / f"{name}@{generation + 1}"
        shutil.rmtree(target, ignore_errors=True)
        with self._writing[name]:  # writes wait while the files are copied (reads go on)
            self._shard(name).flush()
            shutil.copytree(current, target)
            self._journals[name] = []
            with self._lock:
                moved_before, self._unindexed[name] = self._unindexed.get(name, 0), 0
                self._room.notify_all()  # writes waiting for the copy go on into the journal
        try:
            child = subprocess.Popen(
                [sys.executable, "-c", _BUILD, str(target)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            self._builders[name] = child
            _, err = child.communicate()
            if child.returncode != 0 or self._closed:
                raise RuntimeError(f"index build exited with {child.returncode}: {(err or '')[-2000:]}")
            set_scan_threshold(target, self.layout.scan_max_points)
            with self._writing[name]:
                built = qe.EdgeShard.load(str(target))
                _replay(self._journals.pop(name), self._shard(name), built)
                built.flush()
                pointer = self.root / f"{name}.current"  # the switch, atomic on disk
                pointer.with_suffix(".tmp").write_text(target.name + "\n")
                os.replace(pointer.with_suffix(".tmp"), pointer)
                old, self._shards[name] = self._shards[name], built
        except BaseException:
            self._journals.pop(name, None)
            with self._lock:  # not indexed after all
                self._unindexed[name] = self._unindexed.get(name, 0) + moved_before
            shutil.rmtree(target, ignore_errors=True)
            raise
        finally:
            self._builders.pop(name, None)
        self.last_optimize_s[name] = time.perf_counter() - started
        INDEX_BUILD_SECONDS.labels(name).observe(self.last_optimize_s[name])
        with self._lock:  # an import still writing, or another build to follow: this shard is replaced soon
            passing = bool(self._bulk.get(name)) or name in self._owed
        if self.layout.warm_up and not passing:  # the built files are in the page cache, not yet mapped here
            threading.Thread(target=self._warm_up, args=(name, target), name=f"warm-up {name}", daemon=True).start()
        entry = (old, current)
        with self._lock:
            self._retiring.append(entry)
        retire = threading.Timer(self.retire_after_s, self._retire, (entry,))  # reads holding it finish first
        retire.daemon = True
        retire.start()

    def _retire(self, entry: tuple[qe.EdgeShard, Path]) -> None:
        """Close a replaced shard and remove its files (once: the timer or close(), whichever comes first)."""
        with self._lock:
            if entry not in self._retiring:
                return
            self._retiring.remove(entry)
        with self._lock:
            _release(self._resident.pop(entry[1], []))
        entry[0].close()
        shutil.rmtree(entry[1], ignore_errors=True)
        _trim()

    def wait_idle(self, timeout: float = 600.0) -> None:
        """Block until no background optimisation is running (tests, benchmarks, shutdown)."""
        deadline = time.monotonic() + timeout
        while self._optimizing and time.monotonic() < deadline:
            time.sleep(0.05)

    def info(self) -> dict[str, Any]:
        out = {}
        for name, shard in self._shards.items():
            i = shard.info()
            out[name] = {
                "points": i.points_count,
                "indexed_vectors": i.indexed_vectors_count,
                "segments": i.segments_count,
                "optimizing": name in self._optimizing,
                "last_optimize_s": round(self.last_optimize_s[name], 2) if name in self.last_optimize_s else None,
                "warm_up": self._warming.get(name),
            }
        return {"backend": self.backend, "path": str(self.root), "collections": out}

    def close(self) -> None:
        self._closed = True
        for child in list(self._builders.values()):  # an unfinished build is thrown away; the shard stays
            child.kill()
        self.wait_idle()
        for entry in list(self._retiring):  # shards replaced moments ago: nothing reads them once we close
            self._retire(entry)
        for name, shard in self._shards.items():
            shard.close()
            # what the next start cannot read from the engine: points moved out of the index, not yet rebuilt
            self._unindexed_file(name).write_text(f"{self._unindexed.get(name, 0)}\n")
        self._shards.clear()
        with self._lock:
            for mapped in self._resident.values():
                _release(mapped)
            self._resident.clear()

    def _unindexed_file(self, name: str) -> Path:
        return self.root / f"{name}.unindexed"


def _trim() -> None:
    """Give the memory a closed shard freed back to the system. The engine allocates through the C library's
    malloc, which keeps most of what a closed shard's unindexed segment freed (a probe: 185 of 317 MB held
    after closing, 19 after trimming): without this, each index build of an import left the service holding
    the replaced shard's segment. A no-op where the C library is not glibc."""
    if (trim := _malloc_trim()) is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    """glibc's malloc_trim from the symbols already loaded (None elsewhere); looked up on first use."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


def _replay(journal: list, current: qe.EdgeShard, built: qe.EdgeShard, batch: int = 1000) -> None:
    """The writes made during a build, in order, on the built copy: an upsert's ids as `current` holds
    those points now (a point upserted, then deleted, is gone from it; one changed since, as it is now:
    the later entries apply what followed again, to the same end). A point `current` cannot read fails the
    build, which leaves `current` serving."""
    for entry in journal:
        if not isinstance(entry, list):
            built.update(entry)
            continue
        for k in range(0, len(entry), batch):
            now = current.retrieve(entry[k : k + batch], with_payload=True, with_vector=True)
            if lacking := [str(r.id) for r in now if r.vector is None]:
                raise RuntimeError(f"points written during the build read back without vectors: {lacking[:5]}")
            if now:
                built.update(
                    qe.UpdateOperation.upsert_points([qe.Point(r.id, r.vector or {}, r.payload or {}) for r in now])
                )


def _touch_pages(file: Path, budget: int) -> tuple[mmap.mmap | None, int]:
    """Map the file read-only and fault in the pages of its data (holes in the engine's sparse
    preallocated files are skipped), up to `budget` bytes; the mapping (None for an empty file or where the
    kernel cannot populate a mapping: then the pages are only read into the page cache) and the bytes
    touched. MADV_POPULATE_READ faults pages in without reading them from Python, and a page the engine cut
    off the file meanwhile is an error, not the SIGBUS that touching it would be."""
    with file.open("rb", buffering=0) as fh:
        fd = fh.fileno()
        size = os.fstat(fd).st_size
        if size == 0:
            return None, 0
        mapped = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        touched, pos, page = 0, 0, mmap.PAGESIZE
        try:
            while pos < size and touched < budget:
                try:
                    start = os.lseek(fd, pos, os.SEEK_DATA)
                    end = min(os.lseek(fd, start, os.SEEK_HOLE), start + budget - touched, size)
                except OSError:  # ENXIO: no data after pos
                    break
                aligned = start - start % page
                mapped.madvise(_MADV_POPULATE_READ, aligned, end - aligned)
                touched += end - start
                pos = end
        except OSError:  # a kernel before 5.14, or the file shrank: read what is left instead
            mapped.close()
            fh.seek(pos)
            buffer = bytearray(1 << 24)
            while touched < budget and (n := fh.readinto(buffer)):
                touched += n
            return None, touched
    return mapped, touched


def _release(mapped: list[mmap.mmap]) -> None:
    for m in mapped:
        m.close()


def _available_bytes() -> int:
    """Memory the system can give without swapping (MemAvailable), or its free pages where that is unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def _read_count(path: Path) -> int:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return 0


def _has_sparse(path: Path) -> bool:
    config = path / "edge_config.json"
    return config.exists() and SPARSE in (json.loads(config.read_text()).get("sparse_vectors") or {})


def _vectors(p: StoredPoint):
    if p.sparse is None:
        return p.vector
    return {"": p.vector, SPARSE: qe.SparseVector(list(p.sparse.indices), list(p.sparse.values))}


def _undecodable(exc: Exception) -> bool:
    return any(marker in str(exc) for marker in _DECODE_ERRORS)


def _unless_undecodable(read, fallback):
    """`read()`, or `fallback()` when a stored payload cannot be decoded; any other error propagates."""
    try:
        return read()
    except Exception as exc:
        if not _undecodable(exc):
            raise
    return fallback()


def _decodes(shard: qe.EdgeShard, ids: list[str]) -> bool:
    """Whether every one of these points' payloads can be decoded (one read)."""
    return _unless_undecodable(
        lambda: shard.retrieve(list(ids), with_payload=True, with_vector=False) is not None, lambda: False
    )


def _passes(payload: dict[str, Any], conditions: tuple[Match, ...]) -> bool:
    """Whether a payload meets every one of these keyword matches (a keyword list meets one it contains)."""
    for c in conditions:
        value = payload.get(c.key)
        if not (value == c.value or (isinstance(value, list) and c.value in value)):
            return False
    return True


def _only(hit: Hit, fields: tuple[str, ...]) -> Hit:
    """The hit with only these payload keys (the others were read to check it)."""
    return dataclasses.replace(hit, payload={k: v for k, v in hit.payload.items() if k in fields})


def _selector(fields: tuple[str, ...] | None):
    return True if fields is None else qe.PayloadSelector.Include(list(fields))
