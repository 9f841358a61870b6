"""Reference occupations: searchable the moment they are added, no retraining.

Each occupation is stored as one point per label (preferred label first, then alternatives): the
preferred label's point id is the occupation id, the others derive from it. A text is normalised by
searching the label points and keeping each occupation's best label (max-pooling over labels).
"""

import threading
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.domain import now
from app.errors import NotFound
from app.matching.ids import parse_id
from app.store.base import FieldType, StoredPoint, VectorStore
from app.store.conditions import Filter, Match, MatchAny

COLLECTION = "occupations"
INDEXES = {"occupation_id": FieldType.KEYWORD, "external_id": FieldType.KEYWORD, "preferred": FieldType.KEYWORD,
           "model": FieldType.KEYWORD, "created_at": FieldType.FLOAT}
NOUN = "occupation"


@dataclass
class Occupation:
    id: str
    doc: dict[str, Any]
    created_at: float


@dataclass
class OccupationHit:
    occupation: Occupation
    score: float
    vector: np.ndarray  # the best-matching label's vector


def label_point_id(occupation_id: str, label: str) -> str:
    return str(uuid.uuid5(uuid.UUID(occupation_id), label.lower()))


class OccupationIndex:
    def __init__(self, encoder, store: VectorStore, model_id: str, overfetch: int = 8):
        self.encoder = encoder
        self.store = store
        self.model_id = model_id
        self.overfetch = overfetch
        self._lock = threading.Lock()

    def open(self) -> None:
        self.store.ensure_collection(COLLECTION, self.encoder.dim, INDEXES)

    def put_many(self, docs: list[dict[str, Any]]) -> list[tuple[Occupation, bool]]:
        """Create or replace (by `external_id`) occupations."""
        out = []
        with self._lock:
            existing = self._by_external_ids([d.get("external_id") for d in docs])
            seen: dict[str, str] = {}
            for doc in docs:
                ext = doc.get("external_id")
                prev = existing.get(ext) if ext else None
                oid = seen.get(ext) or (prev.id if prev else str(uuid.uuid4()))
                created = prev is None and ext not in seen
                if ext:
                    seen[ext] = oid
                out.append((self._write(oid, doc, prev.created_at if prev else now()), created))
        return out

    def _write(self, oid: str, doc: dict[str, Any], created_at: float) -> Occupation:
        """(Re)place all label points of one occupation: preferred label first, alternatives after."""
        labels = [doc["label"], *[a for a in doc.get("alt_labels", []) if a.strip().lower() != doc["label"].lower()]]
        vectors = self.encoder.encode(labels)
        self.store.delete_by(COLLECTION, Filter(must=[Match("occupation_id", oid)]))
        points = [StoredPoint(oid if j == 0 else label_point_id(oid, lab),
                              {"occupation_id": oid, "label_text": lab, "preferred": "true" if j == 0 else "false",
                               "external_id": doc.get("external_id"), "doc": doc, "model": self.model_id,
                               "created_at": created_at}, vectors[j].tolist())
                  for j, lab in enumerate(labels)]
        self.store.upsert(COLLECTION, points)
        return Occupation(oid, doc, created_at)

    def reembed_stale(self) -> int:
        """Re-embed occupations stored by another model, keeping their ids; returns how many."""
        stale = Filter(must_not=[Match("model", self.model_id)], must=[Match("preferred", "true")])
        done = 0
        while points := self.store.find(COLLECTION, stale, 128):
            for p in points:
                self._write(p.id, p.payload["doc"], p.payload.get("created_at", now()))
            done += len(points)
        return done

    def get(self, occupation_id: str) -> Occupation:
        oid = parse_id(occupation_id, NOUN)
        found = self.store.retrieve(COLLECTION, [oid])
        if not found:
            raise NotFound(f"No occupation with id {oid}.")
        return _occupation(oid, found[0].payload)

    def vector_of(self, occupation_id: str) -> np.ndarray:
        oid = parse_id(occupation_id, NOUN)
        found = self.store.retrieve(COLLECTION, [oid], with_vector=True)
        if not found:
            raise NotFound(f"No occupation with id {oid}.")
        return np.asarray(found[0].vector, dtype=np.float32)

    def delete(self, occupation_id: str) -> None:
        self.get(occupation_id)
        self.store.delete_by(COLLECTION, Filter(must=[Match("occupation_id", parse_id(occupation_id, NOUN))]))

    def page(self, limit: int, offset: int) -> tuple[list[Occupation], int]:
        preferred = Filter(must=[Match("preferred", "true")])
        points = self.store.page(COLLECTION, "created_at", limit, offset, preferred)
        return ([_occupation(p.id, p.payload) for p in points],
                self.store.count(COLLECTION, preferred))

    def search(self, vector: np.ndarray, limit: int, banned_by=None) -> list[OccupationHit]:
        """Best occupations for one vector: each occupation scored by its best label. An occupation
        any of whose fetched labels `banned_by(label_vector)` flags is left out altogether."""
        flt = Filter(must=[Match("model", self.model_id)])
        want, fetch = limit, limit * self.overfetch
        verdicts: dict[str, bool] = {}  # each label point is judged once, however often it is refetched
        while True:
            hits = self.store.search(COLLECTION, vector.tolist(), flt, fetch, 0, with_vector=True)
            best: dict[str, OccupationHit] = {}
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
                    best[oid] = OccupationHit(_occupation(oid, h.payload), float(h.score),
                                              np.asarray(h.vector, dtype=np.float32))
            if len(best) >= want or len(hits) < fetch:
                return list(best.values())[:want]
            fetch *= 4

    def _by_external_ids(self, ext_ids: list[str | None]) -> dict[str, Occupation]:
        wanted = sorted({e for e in ext_ids if e})
        if not wanted:
            return {}
        flt = Filter(must=[MatchAny("external_id", tuple(wanted)), Match("preferred", "true")])
        points = self.store.find(COLLECTION, flt, len(wanted) * 2)
        return {p.payload["external_id"]: _occupation(p.id, p.payload) for p in points}


def _occupation(occupation_id: str, payload: dict[str, Any]) -> Occupation:
    """An occupation from any of its label points' payload (every label point carries the document)."""
    return Occupation(occupation_id, payload["doc"], payload.get("created_at", 0.0))
