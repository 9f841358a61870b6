"""Fitting and judging confidence on occupation normalisation (top-1 predictions), exactly as served.

The validation titles are split once, by a fixed seed, into a fitting half (the description weight
and the calibrators are chosen here) and an evaluation half (every reported figure comes from here).
The served ranking is rebuilt in matrices: the best `depth` occupations by best label, re-ranked by
best label + w x description (`app.matching.occupations`), then the same feature functions as the
service (`app.matching.confidence`).
"""

from dataclasses import dataclass

import numpy as np

from app.matching.confidence import (FEATURES, OCCUPATION_FEATURES, Calibration, Calibrator, accuracy_at_coverage,
                                     brier_score, coverage, expected_calibration_error, label_radius, words)
from app.matching.occupations import description_text, mix
from app.training.evaluate import gold_ranks, label_table, rank_report, target_scores

DESCRIPTION_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)


def split_halves(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    perm = np.random.default_rng(seed).permutation(n)
    return np.sort(perm[: n // 2]), np.sort(perm[n // 2:])


@dataclass
class OccupationVectors:
    """Every ESCO occupation as the service stores it: label vectors (grouped by owner) and a description vector."""

    labels: list[str]
    label_vecs: np.ndarray
    owner: np.ndarray  # (n_labels,) occupation index, sorted
    desc_vecs: np.ndarray
    occupation_labels: list[list[str]]

    @classmethod
    def encode(cls, encode, occupations) -> "OccupationVectors":
        """`encode`: texts -> unit vectors (an encoder's `encode`)."""
        labels, owner = label_table(occupations)
        desc = encode([description_text({"label": o.label, "description": o.description}) for o in occupations])
        return cls(labels, encode(labels), owner, desc, [o.labels for o in occupations])

    @property
    def starts(self) -> np.ndarray:
        return np.flatnonzero(np.r_[True, np.diff(self.owner) != 0])

    @property
    def ends(self) -> np.ndarray:
        return np.r_[self.starts[1:], len(self.owner)]

    def radius(self) -> np.ndarray:
        return np.array([label_radius(self.label_vecs[a:b]) for a, b in zip(self.starts, self.ends)])


@dataclass
class Rankings:
    """Per query: label and description scores of every occupation, and the served candidate list."""

    label: np.ndarray  # (N, n_occ) best-label cosine
    description: np.ndarray  # (N, n_occ)

    @classmethod
    def of(cls, queries: np.ndarray, occ: OccupationVectors) -> "Rankings":
        return cls(target_scores(queries, occ.label_vecs, occ.owner, len(occ.desc_vecs)), queries @ occ.desc_vecs.T)

    def full(self, weight: float) -> np.ndarray:
        """Scores of every occupation (no candidate cut-off): for rank metrics."""
        return mix(self.label, self.description, weight)

    def served(self, weight: float, depth: int) -> np.ndarray:
        """(N, n_occ) scores as served: occupations outside the best `depth` by label get -inf."""
        out = np.full(self.label.shape, -np.inf, dtype=np.float32)
        cand = np.argpartition(-self.label, depth - 1, axis=1)[:, :depth]
        np.put_along_axis(out, cand, mix(np.take_along_axis(self.label, cand, 1),
                                         np.take_along_axis(self.description, cand, 1), weight), 1)
        return out


def choose_weight(rankings: Rankings, gold: np.ndarray, depth: int, weights=DESCRIPTION_WEIGHTS) -> float:
    """The description weight with the best MRR of the served ranking (call it on the fitting half)."""
    return max(weights, key=lambda w: rank_report(gold_ranks(rankings.served(w, depth), gold)).mrr)


@dataclass
class Top1Table:
    X_match: np.ndarray  # (N, len(FEATURES)): what the job <-> candidate calibrator reads
    X_occupation: np.ndarray  # (N, len(OCCUPATION_FEATURES))
    correct: np.ndarray  # (N,) bool: the top-1 occupation is the gold one


def top1_table(scorer, texts: list[str], queries: np.ndarray, rankings: Rankings, occ: OccupationVectors,
               gold: np.ndarray, weight: float, depth: int) -> Top1Table:
    """Features of each query's served top-1 occupation, computed by the service's own functions."""
    served = rankings.served(weight, depth)
    radius, starts, ends = occ.radius(), occ.starts, occ.ends
    xm, xo, correct = [], [], []
    for i in range(len(queries)):
        order = np.argsort(-served[i])[:depth]
        top = order[0]
        a, b = starts[top], ends[top]
        best = a + int(np.argmax(occ.label_vecs[a:b] @ queries[i]))
        target = occ.label_vecs[best][None]
        s, lab, desc = served[i, order], rankings.label[i, order], rankings.description[i, order]
        tw = words(texts[i])
        label_cov = np.array([coverage(tw, occ.labels[best])])
        any_cov = np.array([max(coverage(tw, t) for t in occ.occupation_labels[top])])
        xo.append(scorer.occupation_features(queries[i], target, s, lab, desc, label_cov, any_cov, radius[[top]])[0])
        xm.append(scorer.features(queries[i], target, s[:1], float(s[1]))[0][0])
        correct.append(top == gold[i])
    return Top1Table(np.array(xm), np.array(xo), np.array(correct))


def fit_calibration(table: Top1Table, model_version: str, weight: float) -> Calibration:
    return Calibration(model_version, Calibrator.fit(table.X_match, table.correct, FEATURES, model_version),
                       Calibrator.fit(table.X_occupation, table.correct, OCCUPATION_FEATURES, model_version), weight)


def confidence_report(conf: np.ndarray, correct: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import roc_auc_score

    return {"ECE": expected_calibration_error(conf, correct, 15), "Brier": brier_score(conf, correct),
            "AUROC": float(roc_auc_score(correct, conf)), "acc@50%": accuracy_at_coverage(conf, correct, 0.5),
            "acc@80%": accuracy_at_coverage(conf, correct, 0.8), "accuracy": float(np.mean(correct))}


def baseline_calibrators(fit: Top1Table) -> dict[str, Calibrator]:
    """Platt scaling of a single signal: the raw top-1 score, and the top-1 minus top-2 margin."""
    out = {}
    for name, feat in (("raw top-1 score", "score"), ("top-1 - top-2 margin", "margin_next")):
        col = FEATURES.index(feat)
        out[name] = Calibrator.fit(fit.X_match[:, [col]], fit.correct, features=(feat,))
    return out
