"""Confidence maths, pure functions: softmax-group sharpness and agreement, ranking-context
features, and the calibrator that turns features into the probability that a match is right.

Following the softmax-group idea: the head's output is G distributions over K elements. A sharp
distribution (low entropy) means the encoder is sure of that feature; two objects whose group
distributions overlap agree on that feature.
"""

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.matching.lexical import Lexicon
from app.matching.ranking import Weights

FEATURES = (
    "score",
    "margin_next",
    "gap_to_top",
    "agreement_mean",
    "agreement_min",
    "query_confidence",
    "target_confidence",
)

# Occupation normalisation knows more than a plain match: the best label, description and lexical
# scores apart, where each ranks among the candidates, how much of the occupation's name the text
# contains, and how tight the occupation's own labels are (its "radius").
OCCUPATION_FEATURES = (
    "score",
    "margin_next",
    "gap_4_down",
    "agreement_mean",
    "agreement_min",
    "query_confidence",
    "target_confidence",
    "label_score",
    "description_score",
    "log_label_rank",
    "log_description_rank",
    "label_coverage",
    "any_label_coverage",
    "label_over_radius",
    "radius",
    "lexical_score",
    "log_lexical_rank",
)


def group_sharpness(probs: np.ndarray) -> np.ndarray:
    """(..., G, K) distributions -> (..., G) in [0, 1]: 1 - entropy / log K (1 = one-hot, 0 = uniform)."""
    k = probs.shape[-1]
    p = np.clip(probs, 1e-12, 1.0)
    entropy = -(p * np.log(p)).sum(axis=-1)
    return 1.0 - entropy / math.log(k)


def encoder_confidence(probs: np.ndarray) -> np.ndarray:
    """(N, G, K) -> (N,): how sure the encoder is of the object's features, averaged over groups."""
    return group_sharpness(probs).mean(axis=-1)


def group_agreement(query: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """(G, K) and (M, G, K) -> (M, G): Bhattacharyya overlap of each group's distributions, in [0, 1]."""
    return np.sqrt(np.clip(query[None], 0, None) * np.clip(targets, 0, None)).sum(axis=-1)


def ranking_features(scores: np.ndarray, next_score: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Margin to the next result and gap to the best one, for a best-first list of scores.

    `next_score` is the score of the result after the last one (if it was fetched); without it the
    last result's margin is 0, which reads as "no evidence of a gap".
    """
    s = np.asarray(scores, dtype=np.float64)
    if s.size == 0:
        return s, s
    following = np.r_[s[1:], next_score if next_score is not None else s[-1]]
    return s - following, s[0] - s


def match_features(
    scores: np.ndarray,
    agreements: np.ndarray | None,
    query_conf: float | None,
    target_conf: np.ndarray | None,
    next_score: float | None = None,
) -> np.ndarray:
    """(M, len(FEATURES)) feature matrix for a best-first result list. Missing parts (a model without
    a softmax-group head) are filled with neutral values, so the calibrator still applies."""
    scores = np.asarray(scores, dtype=np.float64)
    m = len(scores)
    margin, gap = ranking_features(scores, next_score)
    if agreements is None:
        agreements = np.ones((m, 1))
    qc = np.full(m, 1.0 if query_conf is None else query_conf)
    tc = np.ones(m) if target_conf is None else np.asarray(target_conf, dtype=np.float64)
    return np.column_stack([scores, margin, gap, agreements.mean(axis=1), agreements.min(axis=1), qc, tc])


def words(text: str) -> set[str]:
    """Lower-case words of letters only (digits, punctuation and reference numbers dropped)."""
    return set(re.findall(r"[^\W\d_]+", text.lower()))


def coverage(text_words: set[str], label: str) -> float:
    """Share of a label's words that the text contains (1 = the whole label is in the text)."""
    lw = words(label)
    return len(lw & text_words) / len(lw) if lw else 0.0


def label_radius(label_vectors: np.ndarray) -> float:
    """How tight an occupation's labels are: mean cosine of its labels (preferred first) with the preferred one."""
    v = np.asarray(label_vectors, dtype=np.float64)
    return float(np.mean(v @ v[0])) if len(v) else 1.0


def rank_among(values: np.ndarray) -> np.ndarray:
    """1-based rank of each value among all of them, highest first (ties share the best rank)."""
    v = np.asarray(values, dtype=np.float64)
    return (v[None, :] > v[:, None]).sum(axis=1) + 1


def occupation_features(
    scores: np.ndarray,
    label_scores: np.ndarray,
    description_scores: np.ndarray,
    lexical_scores: np.ndarray,
    agreements: np.ndarray | None,
    query_conf: float | None,
    target_conf: np.ndarray | None,
    label_cov: np.ndarray,
    any_label_cov: np.ndarray,
    radius: np.ndarray,
) -> np.ndarray:
    """(m, len(OCCUPATION_FEATURES)) for the first m of a best-first candidate list.

    `scores`, `label_scores`, `description_scores`, `lexical_scores` cover the whole candidate list
    (n >= m: ranks and gaps are taken among all candidates); the other arrays cover the first m only.
    """
    s = np.asarray(scores, dtype=np.float64)
    m = len(label_cov)
    margin, _ = ranking_features(s)
    down = s[np.minimum(np.arange(m) + 4, len(s) - 1)]
    lab, desc = np.asarray(label_scores, dtype=np.float64), np.asarray(description_scores, dtype=np.float64)
    lex = np.asarray(lexical_scores, dtype=np.float64)
    if agreements is None:
        agreements = np.ones((m, 1))
    qc = np.full(m, 1.0 if query_conf is None else query_conf)
    tc = np.ones(m) if target_conf is None else np.asarray(target_conf, dtype=np.float64)
    rad = np.asarray(radius, dtype=np.float64)
    return np.column_stack(
        [
            s[:m],
            margin[:m],
            s[:m] - down,
            agreements.mean(axis=1),
            agreements.min(axis=1),
            qc,
            tc,
            lab[:m],
            desc[:m],
            np.log(rank_among(lab)[:m]),
            np.log(rank_among(desc)[:m]),
            label_cov,
            any_label_cov,
            lab[:m] - rad,
            rad,
            lex[:m],
            np.log(rank_among(lex)[:m]),
        ]
    )


def no_good_match(confidences: list[float | None], threshold: float) -> bool:
    """True when nothing came back, or the best known confidence is under the threshold
    (without a calibrator every confidence is None: nothing to judge by, so False)."""
    if not confidences:
        return True
    known = [c for c in confidences if c is not None]
    return bool(known) and max(known) < threshold


@dataclass
class Calibrator:
    """Logistic regression on standardised features (Platt scaling generalised to several inputs).

    Stored as JSON beside the model artifact, tagged with the model version it was fitted for.
    """

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    model_version: str = ""

    @classmethod
    def fit(
        cls,
        X: np.ndarray,
        y: np.ndarray,
        features=FEATURES,
        model_version: str = "",
        c: float = 1.0,
        sample_weight: np.ndarray | None = None,
    ):
        """`sample_weight` lets sets of different sizes count alike (e.g. clean and noisy titles)."""
        from sklearn.linear_model import LogisticRegression

        if X.shape[1] != len(features):
            raise ValueError(f"X has {X.shape[1]} columns for {len(features)} features")
        if len(set(np.asarray(y).tolist())) < 2:
            raise ValueError("calibration needs both right and wrong examples")
        mean, scale = X.mean(axis=0), X.std(axis=0)
        scale = np.where(scale > 1e-9, scale, 1.0)
        lr = LogisticRegression(C=c, max_iter=1000).fit((X - mean) / scale, y, sample_weight=sample_weight)
        return cls(tuple(features), mean, scale, lr.coef_[0], float(lr.intercept_[0]), model_version)

    def predict(self, X: np.ndarray) -> np.ndarray:
        z = ((np.asarray(X, dtype=np.float64) - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def select(self, X_full: np.ndarray, columns: tuple[str, ...] = FEATURES) -> np.ndarray:
        """Pick this calibrator's columns out of a full feature matrix whose columns are `columns`."""
        return X_full[:, [columns.index(f) for f in self.features]]

    def to_dict(self) -> dict:
        return {
            "features": list(self.features),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
            "model_version": self.model_version,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Calibrator":
        return cls(
            tuple(d["features"]),
            np.array(d["mean"]),
            np.array(d["scale"]),
            np.array(d["coef"]),
            float(d["intercept"]),
            d.get("model_version", ""),
        )


@dataclass
class Calibration:
    """What `scripts/calibrate.py` fits for one model version, stored as calibration.json beside it:
    the calibrator of job <-> candidate matches (FEATURES), the calibrator of occupation normalisation
    (OCCUPATION_FEATURES), and the occupation ranking they were fitted on (its weights and lexicon)."""

    model_version: str
    match: Calibrator
    occupation: Calibrator | None = None
    ranking: Weights = Weights()

    def save(self, path: Path) -> None:
        r = self.ranking
        path.write_text(
            json.dumps(
                {
                    "model_version": self.model_version,
                    "description_weight": r.description,
                    "lexical_weight": r.lexical,
                    "match": self.match.to_dict(),
                    "occupation": self.occupation.to_dict() if self.occupation else None,
                    "lexicon": r.lexicon.to_dict() if r.lexicon else None,
                }
            )
        )

    @classmethod
    def load(cls, path: Path) -> "Calibration":
        d = json.loads(path.read_text())
        if "match" not in d:  # a single calibrator (before occupation calibration existed)
            cal = Calibrator.from_dict(d)
            return cls(cal.model_version, cal)
        occ = Calibrator.from_dict(d["occupation"]) if d.get("occupation") else None
        lexicon = Lexicon.from_dict(d["lexicon"]) if d.get("lexicon") else None
        ranking = Weights(
            float(d.get("description_weight", 0.0)), float(d.get("lexical_weight", 0.0)) if lexicon else 0.0, lexicon
        )
        return cls(d["model_version"], Calibrator.from_dict(d["match"]), occ, ranking)


# --- evaluation of confidence ---------------------------------------------------------------


def expected_calibration_error(conf: np.ndarray, correct: np.ndarray, bins: int = 15) -> float:
    """ECE with equal-width bins: the gap between confidence and accuracy, weighted by bin size."""
    conf, correct = np.asarray(conf, dtype=np.float64), np.asarray(correct, dtype=np.float64)
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        sel = idx == b
        if sel.any():
            ece += sel.mean() * abs(conf[sel].mean() - correct[sel].mean())
    return float(ece)


def brier_score(conf: np.ndarray, correct: np.ndarray) -> float:
    return float(np.mean((np.asarray(conf, dtype=np.float64) - np.asarray(correct, dtype=np.float64)) ** 2))


def accuracy_at_coverage(conf: np.ndarray, correct: np.ndarray, coverage: float) -> float:
    """Accuracy on the `coverage` fraction of items the confidence is most sure of."""
    n = max(1, int(round(coverage * len(conf))))
    keep = np.argsort(-np.asarray(conf), kind="stable")[:n]
    return float(np.mean(np.asarray(correct)[keep]))


def reliability_bins(conf: np.ndarray, correct: np.ndarray, bins: int = 15):
    """(bin centres, accuracy per bin, count per bin) for a reliability diagram."""
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    acc = np.array([np.mean(correct[idx == b]) if np.any(idx == b) else np.nan for b in range(bins)])
    count = np.array([np.sum(idx == b) for b in range(bins)])
    return (edges[:-1] + edges[1:]) / 2, acc, count
