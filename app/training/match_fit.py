"""Fitting and judging job <-> candidate matching on labelled pairs (offline; never served).

A `Pool` is what the service scored for one query: the retrieved records, best first by the hybrid
search, each with its criterion row (CRITERIA order) and its grade (2 = written for this query,
1 = weakened copy, 0 = unlabelled/unrelated).
"""

from dataclasses import dataclass

import numpy as np

from app.matching.calibration import Calibrator
from app.matching.criteria import CRITERIA
from app.matching.match_model import FEATURES, Ranker, context_features
from app.training.metrics import brier_score, expected_calibration_error


@dataclass
class Pool:
    query: str
    ids: list[str]
    rows: np.ndarray  # (M, len(CRITERIA))
    grades: np.ndarray  # (M,)
    stored_fit: bool = True  # the query's grade-2 record is stored (it may still miss the pool)


def split_by_query(ids: list[str], seed: int = 0) -> tuple[set[str], set[str]]:
    """(fitting, reporting) halves of the query ids, drawn once with a fixed seed."""
    order = np.random.default_rng(seed).permutation(sorted(ids))
    half = len(order) // 2
    return set(order[:half].tolist()), set(order[half:].tolist())


def ranks(pool: Pool, scores: np.ndarray) -> np.ndarray:
    """Grades in the order the scores rank the pool (stable: ties keep the retrieval order)."""
    return pool.grades[np.argsort(-scores, kind="stable")]


def dcg(grades: np.ndarray, k: int) -> float:
    g = np.asarray(grades[:k], dtype=np.float64)
    return float(np.sum((2**g - 1) / np.log2(np.arange(2, len(g) + 2))))


def ranking_metrics(pools: list[Pool], score_fn) -> dict[str, float]:
    """nDCG@10 (graded), MRR and hit@1 of the grade-2 record, and how often it ranks above its
    weakened copy (a copy outside the pool counts as below)."""
    ndcg, rr, hit1, above = [], [], [], []
    for p in pools:
        ordered = ranks(p, score_fn(p))
        ideal = dcg(np.sort(p.grades)[::-1] if len(p.grades) else p.grades, 10)
        ideal = max(ideal, dcg(np.array([2, 1]), 10))  # both labelled records exist, retrieved or not
        ndcg.append(dcg(ordered, 10) / ideal)
        fit = np.flatnonzero(ordered == 2)
        weak = np.flatnonzero(ordered == 1)
        rr.append(1.0 / (fit[0] + 1) if len(fit) else 0.0)
        hit1.append(float(len(fit) > 0 and fit[0] == 0))
        above.append(float(len(fit) > 0 and (len(weak) == 0 or fit[0] < weak[0])))
    return {
        "ndcg@10": float(np.mean(ndcg)),
        "mrr": float(np.mean(rr)),
        "hit@1": float(np.mean(hit1)),
        "fit_above_weakened": float(np.mean(above)),
        "queries": len(pools),
    }


def fit_weights(pools: list[Pool], hard_weight: float = 5.0, top: int = 20, c: float = 1.0) -> dict[str, float]:
    """Criterion weights that rank the grade-2 record first: a pairwise logistic regression (no intercept)
    on criterion differences between it and each of the pool's first `top` others, the weakened copy
    counting `hard_weight` times (it is the comparison lexical overlap cannot settle); negative
    coefficients clipped to 0, normalised to sum 1. hard_weight 5 and c 1 were chosen by two-fold
    cross-validation inside the fitting half (MRR, fit above weakened)."""
    from sklearn.linear_model import LogisticRegression

    X, y, w = [], [], []
    for p in pools:
        fits = np.flatnonzero(p.grades == 2)
        if not len(fits):
            continue
        f = fits[0]
        others = [i for i in range(min(top, len(p.grades))) if i != f]
        others += [int(i) for i in np.flatnonzero(p.grades == 1) if i >= top]
        for i in others:
            diff, weight = p.rows[f] - p.rows[i], hard_weight if p.grades[i] == 1 else 1.0
            X += [diff, -diff]
            y += [1, 0]
            w += [weight, weight]
    if not X:
        raise ValueError("no pool holds a grade-2 record")
    lr = LogisticRegression(C=c, fit_intercept=False, max_iter=5000).fit(
        np.array(X), np.array(y), sample_weight=np.array(w)
    )
    coef = np.clip(lr.coef_[0], 0.0, None)
    if coef.sum() <= 0:
        raise ValueError("no criterion separates the fitting pairs")
    return {name: float(v / coef.sum()) for name, v in zip(CRITERIA, coef)}


def with_priors(weights: dict[str, float], pools: list[Pool], prior: float = 0.1) -> dict[str, float]:
    """Criteria that never vary in the fitting pairs (language, location when no record states them) can
    not be fitted; they get `prior` each, and the fitted weights share the rest. On the fitting data this
    changes no order (a constant adds the same to every pair); on data that states them, they count."""
    X = np.vstack([p.rows for p in pools])
    constant = [c for i, c in enumerate(CRITERIA) if np.ptp(X[:, i]) == 0]
    if not constant:
        return weights
    rest = 1.0 - prior * len(constant)
    fitted = sum(w for c, w in weights.items() if c not in constant) or 1.0
    return {c: prior if c in constant else rest * weights[c] / fitted for c in CRITERIA}


def features(pool: Pool, model: Ranker) -> np.ndarray:
    return np.column_stack([pool.rows, context_features(model.scores(pool.rows))])


def fit_calibrator(pools: list[Pool], model: Ranker, top: int = 20) -> Calibrator:
    """P(grade 2) from the criteria and the pool context, fitted on each pool's `top` pairs by score."""
    X, y = [], []
    for p in pools:
        order = np.argsort(-model.scores(p.rows), kind="stable")[:top]
        X.append(features(p, model)[order])
        y.append(p.grades[order] == 2)
    return Calibrator.fit(np.vstack(X), np.concatenate(y).astype(int), FEATURES)


def auroc(pos: np.ndarray, neg: np.ndarray) -> float:
    """Probability that a random positive outscores a random negative (ties count half)."""
    pos, neg = np.asarray(pos, dtype=np.float64), np.asarray(neg, dtype=np.float64)
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).mean()
    ties = (pos[:, None] == neg[None, :]).mean()
    return float(greater + 0.5 * ties)


def confidence_metrics(pools: list[Pool], model: Ranker, top: int = 10) -> dict[str, float]:
    """On each pool's `top` pairs by score: ECE and Brier against grade 2; AUROC fit vs weakened copy and
    fit vs unrelated; mean confidence per grade; how often `no_good_match` fires although the fit is stored,
    and how often it fires once the fit and its weakened copy are taken out of the pool (it should)."""
    confs: list[np.ndarray] = []
    hits: list[np.ndarray] = []
    by_grade: dict[int, list[float]] = {0: [], 1: [], 2: []}
    flagged, flagged_without = 0, 0
    for p in pools:
        scores = model.scores(p.rows)
        conf = model.confidence(p.rows, scores)
        assert conf is not None  # a fitted match model has a calibrator
        order = np.argsort(-scores, kind="stable")[:top]
        confs.append(conf[order])
        hits.append(p.grades[order] == 2)
        for g in (0, 1, 2):
            by_grade[g].extend(conf[order][p.grades[order] == g].tolist())
        flagged += int(p.stored_fit and conf.max() < model.no_match_threshold)
        rest = p.rows[p.grades == 0]
        flagged_without += int(
            not len(rest) or model.confidence(rest, model.scores(rest)).max() < model.no_match_threshold  # type: ignore[union-attr]
        )
    conf_all, correct = np.concatenate(confs), np.concatenate(hits).astype(float)
    return {
        "ece": expected_calibration_error(conf_all, correct),
        "brier": brier_score(conf_all, correct),
        "auroc_fit_vs_weakened": auroc(np.array(by_grade[2]), np.array(by_grade[1])),
        "auroc_fit_vs_unrelated": auroc(np.array(by_grade[2]), np.array(by_grade[0])),
        "mean_fit": float(np.mean(by_grade[2])) if by_grade[2] else float("nan"),
        "mean_weakened": float(np.mean(by_grade[1])) if by_grade[1] else float("nan"),
        "mean_unrelated": float(np.mean(by_grade[0])) if by_grade[0] else float("nan"),
        "no_good_match_with_fit_stored": flagged / max(1, sum(p.stored_fit for p in pools)),
        "no_good_match_without_fit_or_copy": flagged_without / max(1, len(pools)),
    }
