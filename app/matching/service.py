"""Matching: turn a stored record or a free text into a vector, search the other side, attach confidence."""

from dataclasses import dataclass, field

import numpy as np

from app.domain import Filters, Kind, Match
from app.encoder.base import Encoder
from app.encoder.texts import candidate_text, job_text
from app.matching import confidence
from app.matching.explain import shared_terms
from app.matching.filters import build_filter
from app.matching.records import Records, to_record
from app.matching.rules import FiredRules, RuleBook
from app.matching.scorer import MatchScorer
from app.store.base import VectorStore
from app.store.conditions import Match as MatchCond

_TEXT = {Kind.JOB: job_text, Kind.CANDIDATE: candidate_text}


@dataclass
class MatchPage:
    matches: list[Match]
    model: str
    no_good_match: bool
    query_confidence: float | None = None
    explanations: list[dict] = field(default_factory=list)
    rules_applied: list[dict] = field(default_factory=list)


@dataclass
class Query:
    vector: np.ndarray
    text: str
    skills: list[str]


class Matcher:
    def __init__(self, encoder: Encoder, store: VectorStore, records: Records, scorer: MatchScorer,
                 rules: RuleBook | None = None, no_match_threshold: float = 0.35):
        self.encoder = encoder
        self.store = store
        self.records = records
        self.scorer = scorer
        self.rules = rules
        self.no_match_threshold = no_match_threshold

    def for_record(self, kind: Kind, record_id: str, filters: Filters | None, limit: int, offset: int) -> MatchPage:
        """Best records of the other side for a stored job or candidate (its stored vector, no re-encoding)."""
        rec, vector = self.records.get_with_vector(kind, record_id)
        query = Query(np.asarray(vector, dtype=np.float32), " ".join(_TEXT[kind](rec.doc)), rec.doc.get("skills") or [])
        return self._search(kind.other, query, filters, limit, offset)

    def for_text(self, text: str, target: Kind, filters: Filters | None, limit: int, offset: int) -> MatchPage:
        """Ad hoc: a free text (a job ad, a CV) against one side; long texts are chunked like stored ones."""
        vector = self.encoder.encode_documents([("", text)])[0]
        return self._search(target, Query(vector, text, []), filters, limit, offset)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.encoder.encode(texts)

    def _search(self, target: Kind, query: Query, filters: Filters | None, limit: int, offset: int) -> MatchPage:
        flt = build_filter(filters)
        # vectors from another model live in another space: never rank them together
        flt.must.append(MatchCond("model", self.records.model_id))
        fired = self.rules.fired(query.vector) if self.rules else FiredRules()
        hits = self._hits(target, query.vector, flt, limit, offset, fired)
        page, next_score = hits[:limit], (hits[limit].score if len(hits) > limit else None)
        scores = np.array([h.score for h in page], dtype=np.float64)
        targets = np.array([h.vector for h in page], dtype=np.float32).reshape(len(page), len(query.vector))
        conf, agreements = self.scorer.score(query.vector, targets, scores, next_score)
        matches, explanations = [], []
        for i, h in enumerate(page):
            rec = to_record(target, h)
            matches.append(Match(rec, float(h.score), None if conf is None else round(float(conf[i]), 4)))
            explanations.append(explain(query, rec.doc, target, None if agreements is None else agreements[i]))
        qc = self.scorer.object_confidence(query.vector[None])
        return MatchPage(matches, self.records.model_id, no_good_match(matches, self.no_match_threshold),
                         None if qc is None else round(float(qc[0]), 4), explanations, fired.applied())

    def _hits(self, target: Kind, vector: np.ndarray, flt, limit: int, offset: int, fired: FiredRules):
        """limit + 1 results from `offset` on (the extra one gives the last its margin). With fired
        rules, excluded results are dropped and the page refilled from further down the ranking."""
        if not fired.rules:
            return self.store.search(target.value, vector.tolist(), flt, limit + 1, offset, with_vector=True)
        want = fetch = offset + limit + 1
        while True:
            fired.excluded.clear()
            raw = self.store.search(target.value, vector.tolist(), flt, fetch, 0, with_vector=True)
            kept = [h for h in raw if fired.excludes(np.asarray(h.vector, dtype=np.float32)) is None]
            if len(kept) >= want or len(raw) < fetch:
                return kept[offset:offset + limit + 1]
            fetch *= 2


def no_good_match(matches: list[Match], threshold: float) -> bool:
    """True when nothing came back, or the best confidence is under the threshold."""
    return confidence.no_good_match([m.confidence for m in matches], threshold)


def explain(query: Query, doc: dict, target: Kind, agreement: np.ndarray | None) -> dict:
    groups = [] if agreement is None else [{"group": g, "agreement": round(float(a), 3)}
                                           for g, a in enumerate(agreement)]
    text = " ".join(_TEXT[target](doc))
    return {"groups": groups, "shared_terms": shared_terms(query.text, text, query.skills, doc.get("skills"))}
