"""Occupation normalisation: texts (or stored vectors) -> the best reference occupations, with
confidence, exclusion rules applied."""

from dataclasses import dataclass, field

import numpy as np

from app.domain import DEFAULT_TENANT, OccupationMatch
from app.encoder.base import Encoder
from app.matching.confidence import coverage, no_good_match, words
from app.matching.occupations import COLLECTION as OCCUPATIONS
from app.matching.occupations import Candidates, OccupationHit, OccupationIndex
from app.matching.rules import FiredRules, RuleBook
from app.matching.scorer import MatchScorer

# Occupations re-ranked for a stored record's top 3 (the /normalize endpoint re-ranks RERANK_DEPTH = 50):
# every record is normalised on ingest, and a shallower re-ranking nearly halves that cost while keeping
# the same top occupation almost always (scripts/bench_summary_depth.py; figures in docs/benchmarks.md).
SUMMARY_DEPTH = 30
NO_MATCH_THRESHOLD = 0.35  # best confidence under which no_good_match is true (JOBMATCH_NO_MATCH_THRESHOLD)


@dataclass
class Normalized:
    hits: list[OccupationHit]
    confidences: list[float | None]
    fired: FiredRules = field(default_factory=FiredRules)
    no_good_match: bool = True  # no occupation reaches the no-match threshold's confidence


class Normalizer:
    def __init__(
        self,
        encoder: Encoder,
        occupations: OccupationIndex,
        rules: RuleBook | None,
        scorer: MatchScorer,
        no_match_threshold: float = NO_MATCH_THRESHOLD,
    ):
        self.encoder = encoder
        self.no_match_threshold = no_match_threshold
        self.occupations = occupations
        self.rules = rules
        self.scorer = scorer

    def texts(self, texts: list[str], limit: int, tenant: str = DEFAULT_TENANT) -> list[Normalized]:
        vectors = self.encoder.encode(texts)
        return [self.vector(v, t, limit, tenant) for v, t in zip(vectors, texts)]

    def vector(
        self, vector: np.ndarray, text: str, limit: int, tenant: str = DEFAULT_TENANT, depth: int | None = None
    ) -> Normalized:
        """Best occupations for the vector of `text` (the text is read for its wording: the lexical
        score, and how much of each occupation's labels it contains), among the tenant's and the shared
        ones, with the tenant's rules."""
        fired = self.rules.fired(vector, tenant) if self.rules else FiredRules()
        banned_by = (lambda v: fired.excludes(v) is not None) if fired.rules else None
        cands = self.occupations.candidates(vector, limit, banned_by, text, tenant, depth)
        page = cands.page
        if not page:
            return Normalized([], [], fired)
        conf = self.scorer.score_occupations(
            vector, np.vstack([h.vector for h in page]), *confidence_columns(cands, text)
        )
        confs: list[float | None] = [None] * len(page) if conf is None else [round(float(c), 4) for c in conf]
        return Normalized(page, confs, fired, no_good_match(confs, self.no_match_threshold))

    @property
    def revision(self) -> str:
        """The occupation set's revision: a record's top occupations were computed against one."""
        return self.occupations.revision

    def cache_key(self, text: str, tenant: str) -> tuple:
        """What a text's normalisation depends on besides the text: the tenant, the occupation set, the rules."""
        return text, tenant, self.occupations.revision, self.rules.revision if self.rules else 0

    def has_occupations(self) -> bool:
        return self.occupations.store.count(OCCUPATIONS) > 0

    def summaries(
        self, vectors: np.ndarray, texts: list[str], k: int = 3, tenant: str = DEFAULT_TENANT
    ) -> list[list[OccupationMatch]]:
        """Top-k occupations per query vector (of a stored job/candidate), as kept in its payload
        (the caller checks `has_occupations` first: one count per batch)."""
        out = []
        for v, t in zip(vectors, texts):
            n = self.vector(np.asarray(v, dtype=np.float32), t, k, tenant, SUMMARY_DEPTH)
            out.append(
                [
                    OccupationMatch(h.occupation.id, h.occupation.doc["label"], round(h.score, 4), c)
                    for h, c in zip(n.hits, n.confidences)
                ]
            )
        return out


def confidence_columns(cands: Candidates, text: str) -> tuple:
    """The per-candidate inputs of `MatchScorer.score_occupations`: scores over all candidates, the
    rest for the page."""
    tw, page = words(text), cands.page
    return (
        np.array([c.score for c in cands.ranked]),
        np.array([c.label_score for c in cands.ranked]),
        np.array([c.description_score for c in cands.ranked]),
        np.array([c.lexical_score for c in cands.ranked]),
        np.array([coverage(tw, h.candidate.label_text) for h in page]),
        np.array([max(coverage(tw, lab) for lab in h.labels) for h in page]),
        np.array([h.candidate.radius for h in page]),
    )
