"""Storing jobs and candidates: encode once, upsert with payload, idempotent by `external_id`."""

import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.domain import DEFAULT_TENANT, Kind, OccupationMatch, Record, now
from app.encoder.base import Encoder
from app.encoder.texts import candidate_text, candidate_title, job_text, job_title
from app.errors import Conflict, NotFound, UnreadableRecord
from app.ingest.extract import extract_cv, extract_job
from app.matching.ids import parse_id
from app.matching.lexical_vectors import Bm25Encoder
from app.matching.payload import INDEXES, country_language_tokens, filter_fields, pack_vector, unpack_vector
from app.matching.scorer import MatchScorer
from app.store.base import Hit, Sparse, StoredPoint, VectorStore
from app.store.conditions import Filter, IsEmpty, Match, MatchAny

TEXT = {Kind.JOB: job_text, Kind.CANDIDATE: candidate_text}
TITLE = {Kind.JOB: job_title, Kind.CANDIDATE: candidate_title}
_NOUN = {Kind.JOB: "job", Kind.CANDIDATE: "candidate"}
_BODY = {Kind.JOB: "description", Kind.CANDIDATE: "cv_text"}
# What a stored point holds besides the dense vector: 2 = extracted fields and the BM25 sparse vector.
# Points of an older layout are re-indexed by jobmatch-reindex like points of another model. A filter
# field added since (the combined country x language keyword) is added to stored points in the background
# from their own payload (`Records.add_combined_fields`), without a new layout.
LAYOUT = "2"
COMBINED_RECHECK_S = 5.0  # while stored points lack the combined field, how often a match asks again
TITLE_CACHE = 50_000  # title vectors remembered (~1.5 KB each)


def extract(kind: Kind, doc: dict[str, Any]) -> dict[str, Any]:
    """Fields read out of the record's free text (skills, roles, years, languages), for criteria and filters."""
    text = doc.get(_BODY[kind]) or ""
    if not text.strip():
        return {}
    if kind is Kind.JOB:
        return extract_job(text).as_payload()
    t = time.gmtime()
    return extract_cv(text, today=t.tm_year + (t.tm_mon - 1) / 12).as_payload()


def check_id(kind: Kind, record_id: str) -> str:
    return parse_id(record_id, _NOUN[kind])


def title_of(kind: Kind, doc: dict[str, Any], extracted: dict[str, Any]) -> str:
    """What the record says it is: a job's title; a candidate's desired title, else the first role its
    CV lists (CVs list the latest first)."""
    title = TITLE[kind](doc)
    if not title and kind is Kind.CANDIDATE and extracted.get("roles"):
        title = extracted["roles"][0]["title"]
    return title


@dataclass
class Embedded:
    vectors: np.ndarray
    confidences: list[float | None]
    occupations: list[list[OccupationMatch]]
    extracted: list[dict[str, Any]]
    titles: list[np.ndarray | None]
    revision: str | None = None  # of the occupation set the occupations were computed against


def filterable_occupations(occupations: list[OccupationMatch], min_confidence: float = 0.5) -> list[str]:
    """Ids an `occupation_ids` filter matches: the top occupation, and any other of the top ones
    the model is confident about."""
    return [
        o.id
        for i, o in enumerate(occupations)
        if i == 0 or (o.confidence is not None and o.confidence >= min_confidence)
    ]


# what `to_record` reads of a payload (a search asks for these alone: the filter fields stay in the store)
RECORD_FIELDS = ("doc", "created_at", "updated_at", "model", "encoder_confidence", "occupations", "extracted", "tenant")


def to_record(kind: Kind, point: StoredPoint | Hit) -> Record:
    p = point.payload
    return Record(
        point.id,
        kind,
        p.get("doc", {}),
        p.get("created_at", 0.0),
        p.get("updated_at", 0.0),
        p.get("model"),
        p.get("encoder_confidence"),
        [OccupationMatch.from_payload(o) for o in p.get("occupations") or [] if isinstance(o, dict)],
        p.get("extracted") or {},
        p.get("tenant") or DEFAULT_TENANT,
    )


def of_tenant(tenant: str, flt: Filter | None = None) -> Filter:
    """`flt` (or nothing) within one tenant's records."""
    flt = flt or Filter()
    return Filter(must=[Match("tenant", tenant), *flt.must], must_not=list(flt.must_not))


class Records:
    """CRUD over the two collections. Writes of one kind are serialised so that two requests
    carrying the same new `external_id` cannot both create a record."""

    def __init__(self, encoder: Encoder, store: VectorStore, scorer: MatchScorer | None = None, normalizer=None):
        self.encoder = encoder
        self.store = store
        self.scorer = scorer
        self.normalizer = normalizer  # app.matching.normalize.Normalizer: top occupations on ingest
        self._locks = {k: threading.Lock() for k in Kind}
        self.bm25 = Bm25Encoder()
        self._title_cache: dict[str, np.ndarray] = {}
        self._occupation_cache: dict[tuple, list[OccupationMatch]] = {}  # a title's top occupations, per set and rules
        self._title_lock = threading.Lock()  # the import worker and request threads share the cache
        self._combined: dict[Kind, bool] = {}  # per kind: every point carries the combined field (stays true)
        self._combined_checked: dict[Kind, float] = {}

    @property
    def model_id(self) -> str:
        return self.encoder.model_id

    def open(self) -> None:
        for kind in Kind:
            self.store.ensure_collection(kind.value, self.encoder.dim, INDEXES, sparse=True)
            # records stored before tenants existed are the operator's
            self.store.set_payload_where(kind.value, Filter(must=[IsEmpty("tenant")]), {"tenant": DEFAULT_TENANT})

    def put_many(
        self, kind: Kind, docs: list[dict[str, Any]], ids: list[str | None] | None = None, tenant: str = DEFAULT_TENANT
    ) -> list[tuple[Record, bool]]:
        """Create or update (by `external_id`, within the tenant) each document; returns (record, created).

        `ids` may fix the id of a new record without an external_id, so that writing it again
        (an import resumed after a crash) overwrites it instead of adding a second copy."""
        if not docs:
            return []
        e = self._embed(kind, docs, tenant)  # slow part, outside the lock
        with self._locks[kind]:
            existing = self._by_external_ids(kind, [d.get("external_id") for d in docs], tenant)
            out, points = [], []
            seen: dict[str, str] = {}
            for i, (doc, fixed) in enumerate(zip(docs, ids or [None] * len(docs))):
                ext = doc.get("external_id")
                prev = existing.get(ext) if ext else None
                if ext and ext in seen:  # repeated within this batch: the later copy wins
                    rid, created = seen[ext], False
                else:
                    rid, created = (prev.id, False) if prev else (fixed or str(uuid.uuid4()), True)
                if ext:
                    seen[ext] = rid
                stamp = now()  # one per record: lists page by it
                rec = Record(
                    rid,
                    kind,
                    doc,
                    prev.created_at if prev else stamp,
                    stamp,
                    self.model_id,
                    e.confidences[i],
                    e.occupations[i],
                    e.extracted[i],
                    tenant,
                )
                points.append(self._point_of(rec, e.vectors[i], e.titles[i], e.revision))
                out.append((rec, created))
            self.store.upsert(kind.value, points)
        return out

    def replace(self, kind: Kind, record_id: str, doc: dict[str, Any], tenant: str = DEFAULT_TENANT) -> Record:
        record_id = check_id(kind, record_id)
        e = self._embed(kind, [doc], tenant)
        with self._locks[kind]:
            try:
                created_at = self.get(kind, record_id, tenant).created_at
            except UnreadableRecord:  # a record that cannot be read may be overwritten with a good copy
                self._check_unreadable_owner(kind, record_id, tenant)
                created_at = now()
            ext = doc.get("external_id")
            if ext:
                other = self._by_external_ids(kind, [ext], tenant).get(ext)
                if other and other.id != record_id:
                    raise Conflict(
                        f"external_id {ext!r} already belongs to {_NOUN[kind]} {other.id}.",
                        {"external_id": ext, "id": other.id},
                    )
            rec = Record(
                record_id,
                kind,
                doc,
                created_at,
                now(),
                self.model_id,
                e.confidences[0],
                e.occupations[0],
                e.extracted[0],
                tenant,
            )
            self.store.upsert(kind.value, [self._point_of(rec, e.vectors[0], e.titles[0], e.revision)])
        return rec

    def get(self, kind: Kind, record_id: str, tenant: str = DEFAULT_TENANT) -> Record:
        return to_record(kind, self._point(kind, record_id, False, tenant))

    def by_external_id(self, kind: Kind, external_id: str, tenant: str = DEFAULT_TENANT) -> Record:
        """The tenant's record that carries the client's `external_id`."""
        found = self._by_external_ids(kind, [external_id], tenant).get(external_id)
        if found is None:
            raise NotFound(f"No {_NOUN[kind]} with external_id {external_id!r}.")
        return found

    def id_of(self, kind: Kind, external_id: str, tenant: str = DEFAULT_TENANT) -> str:
        """The service's id of the tenant's record that carries the client's `external_id`."""
        return self.by_external_id(kind, external_id, tenant).id

    def get_with_vector(
        self, kind: Kind, record_id: str, tenant: str = DEFAULT_TENANT
    ) -> tuple[Record, list[float], np.ndarray | None]:
        """The record, its stored vector and its title vector (None without a title), in one read."""
        point = self._point(kind, record_id, True, tenant)
        return to_record(kind, point), point.vector, unpack_vector(point.payload.get("title_vector"))  # type: ignore[return-value]  # read with its vector

    def _point(self, kind: Kind, record_id: str, with_vector: bool, tenant: str) -> StoredPoint:
        """Another tenant's record is answered like a missing one: its existence is not revealed."""
        record_id = check_id(kind, record_id)
        found = self.store.retrieve(kind.value, [record_id], with_vector=with_vector)
        if not found or (found[0].payload.get("tenant") or DEFAULT_TENANT) != tenant:
            raise NotFound(f"No {_NOUN[kind]} with id {record_id}.")
        return found[0]

    def delete(self, kind: Kind, record_id: str, tenant: str = DEFAULT_TENANT) -> None:
        """Reads only the owner first, so that a record whose data cannot be read can still go."""
        record_id = check_id(kind, record_id)
        with self._locks[kind]:
            if not self.store.exists(kind.value, record_id):
                raise NotFound(f"No {_NOUN[kind]} with id {record_id}.")
            try:
                self._point(kind, record_id, False, tenant)
            except UnreadableRecord:
                self._check_unreadable_owner(kind, record_id, tenant)
            self.store.delete(kind.value, [record_id])

    def delete_many(
        self, kind: Kind, ids: list[str], external_ids: list[str], tenant: str = DEFAULT_TENANT
    ) -> list[tuple[str | None, str | None, bool]]:
        """(id, external_id, deleted) for each id, then each external_id: an unknown or malformed one is
        reported as not deleted, not raised."""
        out: list[tuple[str | None, str | None, bool]] = []
        for rid in ids:
            out.append((rid, None, self._deleted(lambda rid=rid: self.delete(kind, rid, tenant))))
        for ext in external_ids:
            out.append(
                (None, ext, self._deleted(lambda ext=ext: self.delete(kind, self.id_of(kind, ext, tenant), tenant)))
            )
        return out

    @staticmethod
    def _deleted(delete: Any) -> bool:
        try:
            delete()
        except NotFound:
            return False
        return True

    def _check_unreadable_owner(self, kind: Kind, record_id: str, tenant: str) -> None:
        """A record whose payload cannot be read (written by a version that let such metadata in) shows no
        owner; only the operator's tenant, which held every record before tenants existed, may remove it."""
        if tenant != DEFAULT_TENANT:
            raise NotFound(f"No {_NOUN[kind]} with id {record_id}.")

    def page(
        self,
        kind: Kind,
        limit: int,
        offset: int,
        sort: str = "created_at",
        descending: bool = False,
        tenant: str = DEFAULT_TENANT,
    ) -> tuple[list[Record], int]:
        """A page of the tenant's records ordered by `sort` (created_at or updated_at), and how many there are."""
        flt = of_tenant(tenant)
        points = self.store.page(kind.value, sort, limit, offset, flt, descending=descending)
        return [to_record(kind, p) for p in points], self.store.count(kind.value, flt)

    def reembed_stale(self, kind: Kind, batch: int = 256) -> int:
        """Re-embed, in place (same ids, same documents), records stored by another model; returns how many.
        Each batch is written before the next is read, so an interrupted run loses nothing and resumes."""
        done = 0
        other_model, old_layout = self._stale_filters()
        while points := (
            self.store.find(kind.value, other_model, batch) or self.store.find(kind.value, old_layout, batch)
        ):
            recs = [to_record(kind, p) for p in points]
            for tenant in sorted({r.tenant for r in recs}):  # occupations are normalised within the tenant
                mine = [r for r in recs if r.tenant == tenant]
                e = self._embed(kind, [r.doc for r in mine], tenant)
                with self._locks[kind]:
                    self.store.upsert(
                        kind.value,
                        [
                            self._point_of(
                                Record(
                                    r.id,
                                    kind,
                                    r.doc,
                                    r.created_at,
                                    now(),
                                    self.model_id,
                                    e.confidences[i],
                                    e.occupations[i],
                                    e.extracted[i],
                                    r.tenant,
                                ),
                                e.vectors[i],
                                e.titles[i],
                                e.revision,
                            )
                            for i, r in enumerate(mine)
                        ],
                    )
            done += len(points)
        return done

    def renormalize_stale(self, kind: Kind, batch: int = 128) -> int:
        """Compute again the top occupations of up to `batch` records whose occupations were computed against
        another revision of the occupation set (from their stored title or document vector: nothing is
        encoded); returns how many were looked at (0: none is stale)."""
        if self.normalizer is None:
            return 0
        revision = self.normalizer.revision
        points = self.store.find(kind.value, self._other_revision(revision), batch)
        if not points:
            return 0
        untitled = [p.id for p in points if not p.payload.get("title_vector")]
        vectors = {p.id: p.vector for p in self.store.retrieve(kind.value, untitled, with_vector=True)}
        queries, texts, keep, tenants = [], [], [], []
        for p in points:
            rec, title_vector = to_record(kind, p), unpack_vector(p.payload.get("title_vector"))
            tenants.append(rec.tenant)
            if title_vector is not None:
                queries.append(title_vector)
                texts.append(title_of(kind, rec.doc, rec.extracted))
            elif p.id in vectors:
                queries.append(np.asarray(vectors[p.id], dtype=np.float32))
                texts.append(" ".join(t for t in TEXT[kind](rec.doc) if t))
            else:
                tenants.pop()
                continue
            keep.append(p)
        found: list[list[OccupationMatch]] = [[] for _ in queries]
        if queries and self.normalizer.has_occupations():
            for tenant in set(tenants):  # each against its tenant's occupations and the shared ones
                at = [i for i, t in enumerate(tenants) if t == tenant]
                for i, occs in zip(
                    at,
                    self.normalizer.summaries(
                        np.array([queries[i] for i in at]), [texts[i] for i in at], tenant=tenant
                    ),
                ):
                    found[i] = occs
        with self._locks[kind]:  # a record written meanwhile already has fresh occupations: leave it
            unchanged = self._unchanged(kind, keep)
            for p, occupations in zip(keep, found):
                if p.id in unchanged:
                    self.store.set_payload(
                        kind.value,
                        p.id,
                        {
                            "occupations": [o.to_payload() for o in occupations],
                            "f_occupations": filterable_occupations(occupations),
                            "occ_ref": revision,
                        },
                    )
        return len(points)

    def count_unnormalized(self, kind: Kind) -> int:
        """Records whose top occupations were computed against another revision of the occupation set."""
        return (
            0
            if self.normalizer is None
            else self.store.count(kind.value, self._other_revision(self.normalizer.revision))
        )

    @staticmethod
    def _other_revision(revision: str) -> Filter:
        return Filter(must_not=[Match("occ_ref", revision)])

    def combined_filters(self, kind: Kind) -> bool:
        """Whether every stored point of the served model that has a country and languages carries
        `f_country_lang`, so that a filter on a country and a language level may be one condition on it
        (`filters.build_filter`). Once true it stays true (every write carries the field); until then it
        is asked again every COMBINED_RECHECK_S."""
        if self._combined.get(kind):
            return True
        now = time.monotonic()
        if now - self._combined_checked.get(kind, -COMBINED_RECHECK_S) >= COMBINED_RECHECK_S:
            self._combined_checked[kind] = now
            self._combined[kind] = self.count_without_combined(kind) == 0
        return self._combined.get(kind, False)

    def count_without_combined(self, kind: Kind) -> int:
        """Records stored before the combined field existed, to be given it (`add_combined_fields`)."""
        return self.store.count(kind.value, self._without_combined())

    def _without_combined(self) -> Filter:
        return Filter(
            must=[Match("model", self.model_id), IsEmpty("f_country_lang")],
            must_not=[IsEmpty("f_country"), IsEmpty("f_lang")],
        )

    def add_combined_fields(self, kind: Kind, batch: int = 256) -> int:
        """Give up to `batch` records stored before the combined country x language field existed that
        field, made from their stored filter fields (nothing is encoded). Like any payload update, this
        moves each point out of the HNSW index until the next index build. Returns how many were looked
        at (0: none left)."""
        points = self.store.find(kind.value, self._without_combined(), batch)
        if not points:
            return 0
        with self._locks[kind]:  # a record written meanwhile has the field already: leave it
            unchanged = self._unchanged(kind, points)
            for p in points:
                if p.id in unchanged:
                    tokens = country_language_tokens(p.payload["f_country"], p.payload["f_lang"])
                    self.store.set_payload(kind.value, p.id, {"f_country_lang": tokens})
        return len(points)

    def _unchanged(self, kind: Kind, points: list[StoredPoint]) -> set[str]:
        """The ids of these points (as read earlier) still stored with the same `updated_at`: not written
        since. Called under the kind's lock, before a background update of their payload."""
        read_at = {p.id: p.payload.get("updated_at") for p in points}
        now = self.store.retrieve(kind.value, list(read_at), fields=("updated_at",))
        return {q.id for q in now if q.payload.get("updated_at") == read_at[q.id]}

    def count_other_models(self, kind: Kind) -> int:
        """Points embedded by another model (never searched) or stored in an older layout (found by their
        dense vector only): to be re-indexed."""
        return sum(self.store.count(kind.value, f) for f in self._stale_filters())

    def _stale_filters(self) -> tuple[Filter, Filter]:
        return (
            Filter(must_not=[Match("model", self.model_id)]),
            Filter(must=[Match("model", self.model_id)], must_not=[Match("layout", LAYOUT)]),
        )

    def _by_external_ids(self, kind: Kind, ext_ids: list[str | None], tenant: str) -> dict[str, Record]:
        wanted = sorted({e for e in ext_ids if e})
        if not wanted:
            return {}
        points = self.store.find(
            kind.value, of_tenant(tenant, Filter(must=[MatchAny("external_id", tuple(wanted))])), len(wanted) * 2
        )
        return {p.payload["external_id"]: to_record(kind, p) for p in points}

    def _confidence(self, vectors) -> list[float | None]:
        conf = self.scorer.object_confidence(vectors) if self.scorer else None
        return [None] * len(vectors) if conf is None else [round(float(c), 4) for c in conf]

    def _embed(self, kind: Kind, docs: list[dict[str, Any]], tenant: str = DEFAULT_TENANT) -> "Embedded":
        """Everything a write computes before it takes the lock: the document vectors (the slow part), the
        fields read from the text, the title vectors (what exclusion rules compare anchors with) and the
        top occupations."""
        texts = [TEXT[kind](d) for d in docs]
        revision = self.normalizer.revision if self.normalizer else None  # read first: a later change leaves it stale
        vectors = self.encoder.encode_documents(texts)
        extracted = [extract(kind, d) for d in docs]
        titled = [(i, t) for i, (d, ex) in enumerate(zip(docs, extracted)) if (t := title_of(kind, d, ex))]
        by_title = self._title_vectors([t for _, t in titled])
        titles: list[np.ndarray | None] = [None] * len(docs)
        for i, t in titled:
            titles[i] = by_title[t]
        return Embedded(
            vectors,
            self._confidence(vectors),
            self._occupations(texts, vectors, titled, titles, tenant),
            extracted,
            titles,
            revision,
        )

    def _title_vectors(self, titles: list[str]) -> dict[str, np.ndarray]:
        """Vectors of short titles, remembered: titles repeat across records ("Registered Nurse"), the
        encoder is deterministic, and an import would otherwise spend about a tenth of its time on them."""
        with self._title_lock:
            out = {t: v for t in titles if (v := self._title_cache.get(t)) is not None}
        todo = sorted({t for t in titles if t not in out})
        if todo:
            vectors = self.encoder.encode(todo)  # outside the lock: imports and requests encode side by side
            with self._title_lock:
                for t, v in zip(todo, vectors):
                    out[t] = v
                    if len(self._title_cache) >= TITLE_CACHE:
                        self._title_cache.pop(next(iter(self._title_cache)))  # oldest first
                    self._title_cache[t] = v
        return out

    def _occupations(
        self,
        texts: list[tuple[str, str]],
        vectors,
        titled: list[tuple[int, str]],
        titles: list[np.ndarray | None],
        tenant: str,
    ) -> list[list[OccupationMatch]]:
        """Top occupations of each record, from its title when it has one (the text normalisation and its
        confidence are fitted and measured on: a whole vacancy's vector names its occupation far less
        well), else from its whole text and stored vector."""
        if not self.normalizer or not self.normalizer.has_occupations():
            return [[] for _ in range(len(vectors))]
        queries = np.array(vectors, dtype=np.float32, copy=True)
        query_texts = [" ".join(p for p in t if p) for t in texts]
        keys: list[tuple | None] = [None] * len(vectors)
        for i, title in titled:
            queries[i], query_texts[i], keys[i] = titles[i], title, self.normalizer.cache_key(title, tenant)
        # titles repeat across records ("Registered Nurse"), and a title's occupations depend on nothing else
        with self._title_lock:
            out = [self._occupation_cache.get(k) if k else None for k in keys]
        todo = [i for i, o in enumerate(out) if o is None]
        for i, found in zip(
            todo, self.normalizer.summaries(queries[todo], [query_texts[i] for i in todo], tenant=tenant)
        ):
            out[i] = found
        with self._title_lock:
            for i in todo:
                key, tops = keys[i], out[i]
                if key is not None and tops is not None:
                    if len(self._occupation_cache) >= TITLE_CACHE:
                        self._occupation_cache.pop(next(iter(self._occupation_cache)))
                    self._occupation_cache[key] = tops
        return [o or [] for o in out]

    def _point_of(
        self, rec: Record, vector, title_vector: np.ndarray | None = None, revision: str | None = None
    ) -> StoredPoint:
        payload = self._payload(rec)
        if title_vector is not None:
            payload["title_vector"] = pack_vector(title_vector)
        if revision is not None:
            payload["occ_ref"] = revision
        return StoredPoint(rec.id, payload, vector.tolist(), self.sparse_of(rec.kind, rec.doc))

    def sparse_of(self, kind: Kind, doc: dict[str, Any]) -> Sparse:
        return self.bm25.document(" ".join(TEXT[kind](doc)))

    def _payload(self, rec: Record) -> dict[str, Any]:
        return {
            "doc": rec.doc,
            "tenant": rec.tenant,
            "external_id": rec.doc.get("external_id"),
            "created_at": rec.created_at,
            "updated_at": rec.updated_at,
            "model": rec.model,
            "layout": LAYOUT,
            "encoder_confidence": rec.encoder_confidence,
            "occupations": [o.to_payload() for o in rec.occupations],
            "extracted": rec.extracted,
            "f_occupations": filterable_occupations(rec.occupations),
            **filter_fields(rec.kind, rec.doc, rec.extracted),
        }
