"""Offline measures of confidence: expected calibration error, Brier score, accuracy at a coverage,
reliability-diagram bins. Used by evaluation and calibration scripts, never by the service."""

import numpy as np


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
