"""Reference occupations: searchable the moment they are added, no retraining.

Each occupation is stored as one point per label (preferred label first, then alternatives) and one
point for its description (the label when it has none): the preferred label's point id is the
occupation id, the others derive from it. A text is normalised by searching the label points and
keeping each occupation's best label (max-pooling over labels); the best `rerank_depth` occupations
are then re-ranked by a hybrid score: best label + w_d x cosine with their description + w_l x the best
lexical (character n-gram) cosine with one of their labels. The weights and the lexicon are fitted with
the model's calibration (all 0 = labels only). Scores are divided by 1 + w_d + w_l, so they stay on
the cosine scale.
"""

import threading
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.domain import DEFAULT_TENANT, SHARED, now
from app.errors import NotFound
from app.matching.confidence import label_radius
from app.matching.ids import parse_id
from app.matching.ranking import RankingProfile, mix
from app.matching.revisions import Revisions
from app.store.base import FieldType, StoredPoint, VectorStore
from app.store.conditions import Filter, IsEmpty, Match, MatchAny

COLLECTION = "occupations"
INDEXES = {
    "occupation_id": FieldType.KEYWORD,
    "external_id": FieldType.KEYWORD,
    "preferred": FieldType.KEYWORD,
    "kind": FieldType.KEYWORD,
    "model": FieldType.KEYWORD,
    "layout": FieldType.KEYWORD,
    "created_at": FieldType.ORDER,
    "tenant": FieldType.TENANT,
}
NOUN = "occupation"
LAYOUT = (
    "3"  # points per occupation: labels + description (with the labels' radius and texts); older layouts need a reindex
)
DESCRIPTION = "description"  # payload kind of an occupation's description point (label points: "label")
DESCRIPTION_CHARS = 1000  # what of a description is encoded (the model reads about 256 word pieces)
RERANK_DEPTH = 50  # occupations (by best label) re-ranked with their descriptions and lexical scores


@dataclass
class Occupation:
    id: str
    doc: dict[str, Any]
    created_at: float


@dataclass
class OccupationCandidate:
    """One occupation among the candidates of a query: what ranking and confidence need, no document."""

    occupation_id: str
    label_point: str  # the id of its best-matching label's point
    label_score: float
    label_text: str
    description_score: float = 0.0
    lexical_score: float = 0.0  # best character n-gram cosine with one of its labels (0 when not weighted)
    radius: float = 1.0  # mean cosine of the occupation's labels with its preferred label
    score: float = 0.0  # see `mix`


@dataclass
class OccupationHit:
    """A candidate on the page, in full."""

    candidate: OccupationCandidate
    occupation: Occupation
    vector: np.ndarray  # the best-matching label's vector

    @property
    def score(self) -> float:
        return self.candidate.score

    @property
    def labels(self) -> list[str]:
        return [self.occupation.doc["label"], *self.occupation.doc.get("alt_labels", [])]


@dataclass
class Candidates:
    ranked: list[OccupationCandidate]  # best first
    page: list[OccupationHit]  # the first `limit` of them, in full


def label_point_id(occupation_id: str, label: str) -> str:
    return str(uuid.uuid5(uuid.UUID(occupation_id), label.lower()))


def description_point_id(occupation_id: str) -> str:
    return str(uuid.uuid5(uuid.UUID(occupation_id), "\x00" + DESCRIPTION))


def description_text(doc: dict[str, Any]) -> str:
    return (doc.get("description") or "").strip()[:DESCRIPTION_CHARS] or doc["label"]


class OccupationIndex:
    def __init__(
        self,
        encoder,
        store: VectorStore,
        model_id: str,
        overfetch: int = 4,
        weights: RankingProfile | None = None,
        rerank_depth: int = RERANK_DEPTH,
        revisions: Revisions | None = None,
    ):
        self.encoder = encoder
        # the set's revision changes with every write or delete, so records normalised against another set
        # can be found (shared by every replica when they share Redis)
        self.revisions = revisions or Revisions()
        self.store = store
        self.model_id = model_id
        self.overfetch = overfetch
        self.weights = weights or RankingProfile()
        self.rerank_depth = rerank_depth
        self._lock = threading.Lock()

    def open(self) -> None:
        self.store.ensure_collection(COLLECTION, self.encoder.dim, INDEXES)
        self.store.set_payload_where(COLLECTION, Filter(must=[IsEmpty("tenant")]), {"tenant": SHARED})

    def put_many(self, docs: list[dict[str, Any]], tenant: str = DEFAULT_TENANT) -> list[tuple[Occupation, bool]]:
        """Create or replace (by `external_id`) occupations: the operator's are shared, a tenant's its own."""
        out = []
        owner = owner_of(tenant)
        with self._lock:
            existing = self._by_external_ids([d.get("external_id") for d in docs], owner)
            seen: dict[str, str] = {}
            for doc in docs:
                ext = doc.get("external_id")
                prev = existing.get(ext) if ext else None
                oid = (seen.get(ext) if ext else None) or (prev.id if prev else str(uuid.uuid4()))
                created = prev is None and ext not in seen
                if ext:
                    seen[ext] = oid
                out.append((self._write(oid, doc, prev.created_at if prev else now(), owner), created))
            self._changed()
        return out

    @property
    def revision(self) -> str:
        return self.revisions.get("occupations")

    def _changed(self) -> None:
        self.revisions.bump("occupations")

    def _write(self, oid: str, doc: dict[str, Any], created_at: float, owner: str) -> Occupation:
        """(Re)place all points of one occupation: preferred label first, alternatives, description."""
        labels = [doc["label"], *[a for a in doc.get("alt_labels", []) if a.strip().lower() != doc["label"].lower()]]
        vectors = self.encoder.encode([*labels, description_text(doc)])
        self.store.delete_by(COLLECTION, Filter(must=[Match("occupation_id", oid)]))
        common = {
            "occupation_id": oid,
            "external_id": doc.get("external_id"),
            "doc": doc,
            "model": self.model_id,
            "layout": LAYOUT,
            "created_at": created_at,
            "tenant": owner,
        }
        points = [
            StoredPoint(
                oid if j == 0 else label_point_id(oid, lab),
                {**common, "kind": "label", "label_text": lab, "preferred": "true" if j == 0 else "false"},
                vectors[j].tolist(),
            )
            for j, lab in enumerate(labels)
        ]
        points.append(
            StoredPoint(
                description_point_id(oid),
                {
                    **common,
                    "kind": DESCRIPTION,
                    "preferred": "false",
                    "radius": label_radius(vectors[:-1]),
                    "labels": labels,
                },
                vectors[-1].tolist(),
            )
        )
        self.store.upsert(COLLECTION, points)
        return Occupation(oid, doc, created_at)

    def reembed_stale(self) -> int:
        """Re-embed occupations stored by another model or in an older layout, keeping their ids;
        returns how many."""
        done = 0
        for stale in self._stale_filters():
            while points := self.store.find(COLLECTION, stale, 128):
                for p in points:
                    self._write(
                        p.id, p.payload["doc"], p.payload.get("created_at", now()), p.payload.get("tenant", SHARED)
                    )
                done += len(points)
        return done

    def count_stale(self) -> int:
        """Occupations that are not searched until re-indexed (another model, or an older layout)."""
        return sum(self.store.count(COLLECTION, f) for f in self._stale_filters())

    def _stale_filters(self) -> list[Filter]:
        preferred = Match("preferred", "true")
        return [
            Filter(must=[preferred], must_not=[Match("model", self.model_id)]),
            Filter(must=[preferred, Match("model", self.model_id)], must_not=[Match("layout", LAYOUT)]),
        ]

    def get(self, occupation_id: str, tenant: str = DEFAULT_TENANT) -> Occupation:
        """One the tenant sees: its own or a shared one."""
        return _occupation(*self._visible(occupation_id, tenant, with_vector=False)[:2])

    def vector_of(self, occupation_id: str, tenant: str = DEFAULT_TENANT) -> np.ndarray:
        return np.asarray(self._visible(occupation_id, tenant, with_vector=True)[2], dtype=np.float32)

    def _visible(self, occupation_id: str, tenant: str, with_vector: bool) -> tuple[str, dict, list | None]:
        oid = parse_id(occupation_id, NOUN)
        found = self.store.retrieve(COLLECTION, [oid], with_vector=with_vector)
        if not found or found[0].payload.get("tenant", SHARED) not in visible_to(tenant):
            raise NotFound(f"No occupation with id {oid}.")
        return oid, found[0].payload, found[0].vector

    def delete(self, occupation_id: str, tenant: str = DEFAULT_TENANT) -> None:
        """Only its owner deletes it: a tenant its own, the operator the shared ones."""
        oid, payload, _ = self._visible(occupation_id, tenant, with_vector=False)
        if payload.get("tenant", SHARED) != owner_of(tenant):
            raise NotFound(f"No occupation with id {oid} of yours to delete (shared occupations are the operator's).")
        self.store.delete_by(COLLECTION, Filter(must=[Match("occupation_id", oid)]))
        with self._lock:
            self._changed()

    def page(self, limit: int, offset: int, tenant: str = DEFAULT_TENANT) -> tuple[list[Occupation], int]:
        preferred = Filter(must=[Match("preferred", "true"), MatchAny("tenant", visible_to(tenant))])
        points = self.store.page(COLLECTION, "created_at", limit, offset, preferred)
        return ([_occupation(p.id, p.payload) for p in points], self.store.count(COLLECTION, preferred))

    def candidates(
        self,
        vector: np.ndarray,
        limit: int,
        banned_by=None,
        text: str = "",
        tenant: str = DEFAULT_TENANT,
        depth: int | None = None,
    ) -> "Candidates":
        """The best max(limit, rerank_depth) occupations by best label, re-ranked with their
        descriptions and their labels' wording (`text` is what `vector` encodes), best first; the first
        `limit` come back in full. An occupation any of whose fetched labels `banned_by(label_vector)`
        flags is left out altogether."""
        found = self._by_labels(vector, max(limit, depth or self.rerank_depth), banned_by, tenant)
        if not found:
            return Candidates([], [])
        w = self.weights
        fields = ("occupation_id", "radius", "labels") if w.lexical else ("occupation_id", "radius")
        ids = [description_point_id(c.occupation_id) for c in found]
        desc = {
            p.payload["occupation_id"]: p for p in self.store.retrieve(COLLECTION, ids, with_vector=True, fields=fields)
        }
        lexical = (
            w.lexicon.best(text, [desc[c.occupation_id].payload["labels"] for c in found])  # type: ignore[union-attr]
            if w.lexical
            else np.zeros(len(found))
        )
        for c, lex in zip(found, lexical):
            p = desc[c.occupation_id]  # written with its labels, in the same layout
            c.description_score = float(np.dot(vector, np.asarray(p.vector, dtype=np.float32)))
            c.lexical_score = float(lex)
            c.radius = float(p.payload["radius"])
            c.score = float(mix(c.label_score, c.description_score, c.lexical_score, w))
        ranked = sorted(found, key=lambda c: -c.score)
        page = ranked[:limit]
        labels = {p.id: p for p in self.store.retrieve(COLLECTION, [c.label_point for c in page], with_vector=True)}
        return Candidates(
            ranked,
            [
                OccupationHit(
                    c,
                    _occupation(c.occupation_id, labels[c.label_point].payload),
                    np.asarray(labels[c.label_point].vector, dtype=np.float32),
                )
                for c in page
            ],
        )

    def _by_labels(self, vector: np.ndarray, limit: int, banned_by, tenant: str) -> list["OccupationCandidate"]:
        """Occupations by their best label (only ids, label texts and scores travel; vectors only
        when exclusion rules need to judge them)."""
        flt = Filter(
            must=[Match("model", self.model_id), Match("layout", LAYOUT), MatchAny("tenant", visible_to(tenant))],
            must_not=[Match("kind", DESCRIPTION)],
        )
        want, fetch = limit, limit * self.overfetch
        verdicts: dict[str, bool] = {}  # each label point is judged once, however often it is refetched
        while True:
            hits = self.store.search(
                COLLECTION,
                vector.tolist(),
                flt,
                fetch,
                0,
                with_vector=banned_by is not None,
                fields=("occupation_id", "label_text"),
            )
            best: dict[str, OccupationCandidate] = {}
            banned: set[str] = set()
            for h in hits:  # best first, so the first hit of an occupation is its best label
                oid = h.payload["occupation_id"]
                if oid in banned:
                    continue
                if h.id not in verdicts:
                    verdicts[h.id] = banned_by is not None and banned_by(np.asarray(h.vector, dtype=np.float32))
                if verdicts[h.id]:
                    banned.add(oid)
                    best.pop(oid, None)
                    continue
                if oid not in best:
                    best[oid] = OccupationCandidate(oid, h.id, float(h.score), h.payload["label_text"])
            if len(best) >= want or len(hits) < fetch:
                return list(best.values())[:want]
            fetch *= 2

    def _by_external_ids(self, ext_ids: list[str | None], owner: str) -> dict[str, Occupation]:
        wanted = sorted({e for e in ext_ids if e})
        if not wanted:
            return {}
        flt = Filter(must=[MatchAny("external_id", tuple(wanted)), Match("preferred", "true"), Match("tenant", owner)])
        points = self.store.find(COLLECTION, flt, len(wanted) * 2)
        return {p.payload["external_id"]: _occupation(p.id, p.payload) for p in points}


def owner_of(tenant: str) -> str:
    """Whose an occupation written by this tenant is: the operator's are everyone's."""
    return SHARED if tenant == DEFAULT_TENANT else tenant


def visible_to(tenant: str) -> tuple[str, ...]:
    return (SHARED,) if tenant == DEFAULT_TENANT else (tenant, SHARED)


def _occupation(occupation_id: str, payload: dict[str, Any]) -> Occupation:
    """An occupation from any of its label points' payload (every label point carries the document)."""
    return Occupation(occupation_id, payload["doc"], payload.get("created_at", 0.0))
