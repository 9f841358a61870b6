"""What the validation labels let a confidence reach: measured by scripts/evaluate.py, never served.

Confidence is judged against the JobBERT labels, and those labels are weak: the same title often
carries different occupations, and most confident "errors" name the predicted occupation in the title.
A per-occupation prior fitted on the labels (how often they agreed when the model predicted that
occupation) lifts AUROC far beyond what the texts give, but only for occupations it has seen labelled:
it learns the label set, which is training on validation data. It is computed here to show that gap,
and the service never reads it.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from app.matching.calibration import Calibrator


def title_key(title: str) -> str:
    """A title's words, lower-cased (case, punctuation and spacing ignored)."""
    return " ".join(re.findall(r"[^\W_]+", title.lower()))


@dataclass
class RepeatedTitles:
    groups: int  # titles that occur more than once (same words)
    rows: int  # rows in those groups
    inconsistent: int  # groups whose rows carry more than one occupation
    ceiling: float  # top-1 accuracy on those rows of the best possible title -> occupation mapping
    mask: np.ndarray  # (N,) bool: the rows in those groups


def repeated_titles(titles: list[str], gold: np.ndarray) -> RepeatedTitles:
    """How consistently the labels tag the same title: any method that reads only the title gives
    every copy the same answer, so it can be right at most for each group's commonest label."""
    gold = np.asarray(gold)
    by_title = defaultdict(list)
    for i, title in enumerate(titles):
        by_title[title_key(title)].append(i)
    repeated = [rows for rows in by_title.values() if len(rows) > 1]
    mask = np.zeros(len(titles), dtype=bool)
    for rows in repeated:
        mask[rows] = True
    best = sum(Counter(gold[rows].tolist()).most_common(1)[0][1] for rows in repeated)
    n = int(mask.sum())
    return RepeatedTitles(
        len(repeated),
        n,
        sum(len(set(gold[rows].tolist())) > 1 for rows in repeated),
        best / n if n else float("nan"),
        mask,
    )


def named_errors(
    conf: np.ndarray, correct: np.ndarray, any_label_coverage: np.ndarray, threshold: float = 0.7
) -> tuple[int, float]:
    """Confident errors (confidence >= threshold, top-1 not the label): how many, and the share whose
    title contains a whole label of the predicted occupation."""
    wrong = (np.asarray(conf) >= threshold) & ~np.asarray(correct, dtype=bool)
    n = int(wrong.sum())
    return n, float(np.mean(np.asarray(any_label_coverage)[wrong] >= 1.0)) if n else float("nan")


def occupation_prior(
    top_src: np.ndarray, correct_src: np.ndarray, top_dst: np.ndarray, n_occ: int, strength: float = 5.0
) -> np.ndarray:
    """Log of each predicted occupation's precision on the source rows, shrunk towards the overall
    precision by `strength` pseudo-rows (an occupation never predicted there gets the overall one)."""
    n = np.bincount(top_src, minlength=n_occ)
    k = np.bincount(top_src, weights=np.asarray(correct_src, dtype=np.float64), minlength=n_occ)
    p0 = float(np.mean(correct_src))
    return np.log((k[top_dst] + strength * p0) / (n[top_dst] + strength))


def cross_fitted_prior(top: np.ndarray, correct: np.ndarray, n_occ: int, folds: int = 5, seed: int = 3) -> np.ndarray:
    """The prior of each row computed from the other folds only (no row sees its own label)."""
    out = np.zeros(len(top))
    for fold in np.array_split(np.random.default_rng(seed).permutation(len(top)), folds):
        rest = np.setdiff1d(np.arange(len(top)), fold)
        out[fold] = occupation_prior(top[rest], correct[rest], top[fold], n_occ)
    return out


def prior_confidence(
    X_fit: np.ndarray, y_fit: np.ndarray, top_fit: np.ndarray, X_eval: np.ndarray, top_eval: np.ndarray, n_occ: int
) -> np.ndarray:
    """Confidence on the evaluation rows from the served features plus the label-set prior, the
    calibrator fitted on the fitting rows (cross-fitted prior there, the whole fitting set's prior on
    the evaluation rows)."""
    fit = np.column_stack([X_fit, cross_fitted_prior(top_fit, y_fit, n_occ)])
    names = tuple(f"x{i}" for i in range(fit.shape[1]))
    cal = Calibrator.fit(fit, y_fit, names)
    return cal.predict(np.column_stack([X_eval, occupation_prior(top_fit, y_fit, top_eval, n_occ)]))
