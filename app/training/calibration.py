"""Fitting and judging match confidence on occupation normalisation (top-1 predictions).

The validation titles are split once, by a fixed seed, into a fitting half (the calibrator learns
here) and an evaluation half (every reported figure comes from here).
"""

from dataclasses import dataclass

import numpy as np

from app.matching.confidence import (FEATURES, Calibrator, accuracy_at_coverage, brier_score, encoder_confidence,
                                     expected_calibration_error, group_agreement, match_features)


@dataclass
class Top1Table:
    X: np.ndarray  # (N, len(FEATURES))
    correct: np.ndarray  # (N,) bool: the top-1 occupation is the gold one


def split_halves(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    perm = np.random.default_rng(seed).permutation(n)
    return np.sort(perm[: n // 2]), np.sort(perm[n // 2:])


def top1_table(scorer, query_vecs: np.ndarray, target_vecs: np.ndarray, gold: np.ndarray) -> Top1Table:
    """Features of each query's best target (with the second best as `next_score`)."""
    scores = query_vecs @ target_vecs.T
    top2 = np.argsort(-scores, axis=1)[:, :2]
    q_probs, t_probs = scorer.group_probs(query_vecs), scorer.group_probs(target_vecs)
    q_conf = None if q_probs is None else encoder_confidence(q_probs)
    t_conf = None if t_probs is None else encoder_confidence(t_probs)
    rows = []
    for i, (a, b) in enumerate(top2):
        agree = None if q_probs is None else group_agreement(q_probs[i], t_probs[a][None])
        rows.append(match_features(np.array([scores[i, a]]), agree, None if q_conf is None else float(q_conf[i]),
                                   None if t_conf is None else t_conf[a][None], float(scores[i, b]))[0])
    return Top1Table(np.array(rows), top2[:, 0] == gold)


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
        out[name] = Calibrator.fit(fit.X[:, [col]], fit.correct, features=(feat,))
    return out
