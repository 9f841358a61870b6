"""Occupation normalisation: texts (or stored vectors) -> the best reference occupations, with
confidence, exclusion rules applied."""

from dataclasses import dataclass, field

import numpy as np

from app.matching.occupations import COLLECTION as OCCUPATIONS
from app.matching.occupations import OccupationHit, OccupationIndex
from app.matching.rules import FiredRules, RuleBook
from app.matching.scorer import MatchScorer


@dataclass
class Normalized:
    hits: list[OccupationHit]
    confidences: list[float | None]
    fired: FiredRules = field(default_factory=FiredRules)


class Normalizer:
    def __init__(self, encoder, occupations: OccupationIndex, rules: RuleBook | None, scorer: MatchScorer):
        self.encoder = encoder
        self.occupations = occupations
        self.rules = rules
        self.scorer = scorer

    def texts(self, texts: list[str], limit: int) -> list[Normalized]:
        vectors = self.encoder.encode(texts)
        return [self.vector(v, limit) for v in vectors]

    def vector(self, vector: np.ndarray, limit: int) -> Normalized:
        fired = self.rules.fired(vector) if self.rules else FiredRules()
        banned_by = (lambda v: fired.excludes(v) is not None) if fired.rules else None
        hits = self.occupations.search(vector, limit + 1, banned_by)  # one more gives the last its margin
        page, nxt = hits[:limit], (hits[limit].score if len(hits) > limit else None)
        if not page:
            return Normalized([], [], fired)
        scores = np.array([h.score for h in page])
        conf, _ = self.scorer.score(vector, np.vstack([h.vector for h in page]), scores, nxt)
        confs = [None] * len(page) if conf is None else [round(float(c), 4) for c in conf]
        return Normalized(page, confs, fired)

    def summaries(self, vectors: np.ndarray, k: int = 3) -> list[list[dict]]:
        """Top-k occupations per stored job/candidate vector, as kept in its payload."""
        if self.occupations.store.count(OCCUPATIONS) == 0:
            return [[] for _ in range(len(vectors))]
        out = []
        for v in vectors:
            n = self.vector(np.asarray(v, dtype=np.float32), k)
            out.append([{"id": h.occupation.id, "label": h.occupation.doc["label"], "score": round(h.score, 4),
                         "confidence": c} for h, c in zip(n.hits, n.confidences)])
        return out
