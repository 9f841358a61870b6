"""How criterion scores become a match's `score` and `confidence`, per direction.

`score` is a weighted mean of the criteria (weights per criterion, summing to 1; a request may pass
its own). `confidence` is the calibrated probability that the pair is a good fit (grade 2 in the
labelled dev data): a logistic regression over the criteria and the ranking context. A job's
candidates and a candidate's jobs are two ranking problems (a job that asks for little covers many
CVs), so each direction has its own `Ranker`, fitted on the fitting half of the dev split by
`scripts/evaluate_matching.py --fit` and stored in `models/matching/match_model.json`. Without that
file the weights are equal and confidence is None.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.matching.calibration import Calibrator
from app.matching.criteria import CRITERIA

MODEL_FILE = Path(__file__).resolve().parents[2] / "models" / "matching" / "match_model.json"
CONTEXT = ("gap_to_best", "rank_share")  # where the pair stands among the retrieved candidates
FEATURES = (*CRITERIA, *CONTEXT)


def normalise_weights(weights: dict[str, float]) -> dict[str, float]:
    unknown = set(weights) - set(CRITERIA)
    if unknown:
        raise ValueError(f"unknown criteria {sorted(unknown)}; known: {list(CRITERIA)}")
    total = sum(max(0.0, w) for w in weights.values())
    if total <= 0:
        raise ValueError("at least one criterion weight must be positive")
    return {c: max(0.0, weights.get(c, 0.0)) / total for c in CRITERIA}


# records retrieved by hybrid search and scored on every criterion; the ranking context is read against it
POOL = 50


def context_features(scores: np.ndarray, depth: int = POOL) -> np.ndarray:
    """(M, len(CONTEXT)) of a pool's scores: the gap to the best, and each one's rank (how many score at
    or above it) as a share of `depth`, capped at 1. Dividing by the retrieval depth, not by M, keeps a
    pair's confidence from depending on how many records a small store or a narrow filter leaves: the
    best of 3 is rank 1 of 50 as it is in a full pool (the calibrator was fitted on full pools)."""
    scores = np.asarray(scores, dtype=np.float64)
    if len(scores) == 0:
        return np.zeros((0, len(CONTEXT)))
    gap = scores - scores.max()
    share = np.minimum(np.array([(scores >= s).sum() for s in scores]), depth) / depth
    return np.column_stack([gap, share])


# `no_good_match` when no result is more likely than not a good fit: the natural decision point of a
# calibrated probability, not a fitted quantile (docs/matching.md shows the trade-off it gives)
NO_MATCH_BELOW = 0.5


@dataclass
class Ranker:
    """RankingProfile, calibrator and no-good-match threshold of one direction."""

    weights: dict[str, float] = field(default_factory=lambda: {c: 1 / len(CRITERIA) for c in CRITERIA})
    calibrator: Calibrator | None = None
    no_match_threshold: float = NO_MATCH_BELOW

    def scores(self, X: np.ndarray, weights: dict[str, float] | None = None) -> np.ndarray:
        """(M,) weighted means of an (M, len(CRITERIA)) criterion matrix."""
        w = normalise_weights(weights) if weights else self.weights
        return np.asarray(X, dtype=np.float64) @ np.array([w[c] for c in CRITERIA])

    def confidence(self, X: np.ndarray, default_scores: np.ndarray) -> np.ndarray | None:
        """P(good fit) per pair from the criteria and the pool context of the default-weight scores."""
        if self.calibrator is None or len(X) == 0:
            return None
        full = np.column_stack([X, context_features(default_scores)])
        return self.calibrator.predict(self.calibrator.select(full, FEATURES))

    def to_dict(self) -> dict:
        return {
            "weights": self.weights,
            "no_match_threshold": self.no_match_threshold,
            "calibrator": self.calibrator.to_dict() if self.calibrator else None,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Ranker":
        cal = Calibrator.from_dict(d["calibrator"]) if d.get("calibrator") else None
        return cls(normalise_weights(d["weights"]), cal, float(d["no_match_threshold"]))


@dataclass
class MatchModel:
    """One Ranker per target: "candidates" ranks a job's candidates, "jobs" a candidate's jobs."""

    rankers: dict[str, Ranker] = field(default_factory=lambda: {"candidates": Ranker(), "jobs": Ranker()})
    fitted_on: str = ""

    def for_target(self, target: str) -> Ranker:
        return self.rankers[target]

    def save(self, path: Path = MODEL_FILE) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps({"fitted_on": self.fitted_on, **{t: r.to_dict() for t, r in self.rankers.items()}}, indent=1)
            + "\n"
        )

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> "MatchModel":
        if not path.exists():
            return cls()
        d = json.loads(path.read_text())
        return cls({t: Ranker.from_dict(d[t]) for t in ("candidates", "jobs")}, d.get("fitted_on", ""))
