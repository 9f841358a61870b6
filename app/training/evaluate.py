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


def target_scores(queries, vectors, owner: np.ndarray, n_targets: int, batch: int = 1024) -> np.ndarray:
    """(n_queries, n_targets) scores: for each target the max dot product over the vectors it owns.

    `queries` and `vectors` are dense arrays or scipy sparse matrices (lexical vectors). `owner` must
    be sorted ascending and cover every target id 0..n_targets-1.
    """
    if np.any(np.diff(owner) < 0) or len(np.unique(owner)) != n_targets:
        raise ValueError("owner must be sorted and cover every target")
    starts = np.flatnonzero(np.r_[True, np.diff(owner) != 0])
    n = queries.shape[0]
    out = np.empty((n, n_targets), dtype=np.float32)
    for i in range(0, n, batch):
        sims = queries[i : i + batch] @ vectors.T
        sims = sims.toarray() if hasattr(sims, "toarray") else sims
        out[i : i + batch] = np.maximum.reduceat(sims, starts, axis=1)
    return out


def gold_ranks(scores: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """1-based rank of each query's gold target (ties count against the gold)."""
    gold_score = scores[np.arange(len(gold)), gold][:, None]
    return (scores >= gold_score).sum(axis=1)


def rank_report(ranks: np.ndarray) -> RankReport:
    if len(ranks) == 0:
        raise ValueError("no queries to evaluate")
    return RankReport(
        len(ranks),
        float(np.mean(1.0 / ranks)),
        float(np.mean(ranks <= 1)),
        float(np.mean(ranks <= 5)),
        float(np.mean(ranks <= 10)),
    )


def lexical_target_scores(
    lexicon, queries: list[str], labels: list[str], owner: np.ndarray, n_targets: int
) -> np.ndarray:
    """`target_scores` with `lexicon`'s TF-IDF vectors (app.matching.lexical) of query and label texts:
    for each target the best lexical cosine over its labels, in matrices. The served ranking computes
    the same numbers with `Lexicon.best`, a candidate list at a time."""
    from scipy.sparse import csr_matrix

    index: dict[str, int] = {}

    def matrix(texts: list[str]):
        rows, cols, vals = [], [], []
        for r, t in enumerate(texts):
            for g, v in lexicon.vector(t).items():
                rows.append(r)
                cols.append(index.setdefault(g, len(index)))
                vals.append(v)
        return rows, cols, vals

    lab, qry = matrix(labels), matrix(queries)  # both first: every n-gram has its column
    shape = lambda n: (n, len(index))  # noqa: E731
    return target_scores(
        csr_matrix((qry[2], (qry[0], qry[1])), shape=shape(len(queries))),
        csr_matrix((lab[2], (lab[0], lab[1])), shape=shape(len(labels))),
        owner,
        n_targets,
    )


def validation_pairs(occupations, titles_path, limit: int | None = None, seed: int = 0) -> list[tuple[str, int]]:
    """JobBERT validation titles as (title, index of its occupation), those whose occupation is in the set;
    `limit` draws a fixed random subset. Validation and model selection only, never training."""
    from app.training.data import load_validation_titles

    uri = {o.uri: i for i, o in enumerate(occupations)}
    pairs = [(t, uri[u]) for t, u in load_validation_titles(titles_path) if u in uri]
    if limit and limit < len(pairs):
        rng = np.random.default_rng(seed)
        pairs = [pairs[i] for i in sorted(rng.choice(len(pairs), limit, replace=False))]
    return pairs


def evaluate_model(model, occupations, pairs: list[tuple[str, int]], serve: str) -> RankReport:
    """Rank every occupation's preferred label for each title with `model.encode(texts, serve)`."""
    q = model.encode([t for t, _ in pairs], serve)
    t = model.encode([o.label for o in occupations], serve)
    return rank_report(gold_ranks(q @ t.T, np.array([g for _, g in pairs])))
