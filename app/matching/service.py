"""Matching: turn a stored record or a free text into a vector and search the other side."""

from dataclasses import dataclass

import numpy as np

from app.domain import Filters, Kind, Match
from app.encoder.base import Encoder
from app.matching.filters import build_filter
from app.matching.records import Records, to_record
from app.store.base import VectorStore
from app.store.conditions import Match as MatchCond


@dataclass
class MatchPage:
    matches: list[Match]
    model: str


class Matcher:
    def __init__(self, encoder: Encoder, store: VectorStore, records: Records):
        self.encoder = encoder
        self.store = store
        self.records = records

    def for_record(self, kind: Kind, record_id: str, filters: Filters | None, limit: int, offset: int) -> MatchPage:
        """Best records of the other side for a stored job or candidate (its stored vector, no re-encoding)."""
        vector = self.records.vector_of(kind, record_id)
        return self._search(kind.other, vector, filters, limit, offset)

    def for_text(self, text: str, target: Kind, filters: Filters | None, limit: int, offset: int) -> MatchPage:
        """Ad hoc: a free text (a job ad, a CV) against one side; long texts are chunked like stored ones."""
        vector = self.encoder.encode_documents([("", text)])[0]
        return self._search(target, vector.tolist(), filters, limit, offset)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.encoder.encode(texts)

    def _search(self, target: Kind, vector: list[float], filters: Filters | None, limit: int, offset: int) -> MatchPage:
        flt = build_filter(filters)
        # vectors from another model live in another space: never rank them together
        flt.must.append(MatchCond("model", self.records.model_id))
        hits = self.store.search(target.value, vector, flt, limit, offset)
        matches = [Match(to_record(target, h), float(h.score)) for h in hits]
        return MatchPage(matches, self.records.model_id)
