"""Ranking metrics for occupation normalisation: each query has one gold target among many.

Targets may own several vectors (one per label); a target's score is the best of its vectors.
"""

from dataclasses import dataclass

import numpy as np


@dataclass
class RankReport:
    n: int
    mrr: float
    r1: float
    r5: float
    r10: float

    def row(self) -> str:
        return f"n={self.n:6d}  MRR {self.mrr:.4f}  R@1 {self.r1:.4f}  R@5 {self.r5:.4f}  R@10 {self.r10:.4f}"


def label_table(occupations) -> tuple[list[str], np.ndarray]:
    """Every label of every occupation (preferred first) and the index of the occupation that owns it."""
    texts = [lab for o in occupations for lab in o.labels]
    return texts, np.array([i for i, o in enumerate(occupations) for _ in o.labels])


def target_scores(queries: np.ndarray, vectors: np.ndarray, owner: np.ndarray, n_targets: int,
                  batch: int = 1024) -> np.ndarray:
    """(n_queries, n_targets) scores: for each target the max dot product over the vectors it owns.

    `owner` must be sorted ascending and cover every target id 0..n_targets-1.
    """
    if np.any(np.diff(owner) < 0) or len(np.unique(owner)) != n_targets:
        raise ValueError("owner must be sorted and cover every target")
    starts = np.flatnonzero(np.r_[True, np.diff(owner) != 0])
    out = np.empty((len(queries), n_targets), dtype=np.float32)
    for i in range(0, len(queries), batch):
        sims = queries[i:i + batch] @ vectors.T
        out[i:i + batch] = np.maximum.reduceat(sims, starts, axis=1)
    return out


def gold_ranks(scores: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """1-based rank of each query's gold target (ties count against the gold)."""
    gold_score = scores[np.arange(len(gold)), gold][:, None]
    return (scores >= gold_score).sum(axis=1)


def rank_report(ranks: np.ndarray) -> RankReport:
    if len(ranks) == 0:
        raise ValueError("no queries to evaluate")
    return RankReport(len(ranks), float(np.mean(1.0 / ranks)), float(np.mean(ranks <= 1)),
                      float(np.mean(ranks <= 5)), float(np.mean(ranks <= 10)))
