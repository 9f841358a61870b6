"""Confidence features, pure functions: softmax-group sharpness and agreement, and the ranking-context
features a calibrator (`app/matching/calibration.py`) turns into the probability that a match is right.

Following the softmax-group idea: the head's output is G distributions over K elements. A sharp
distribution (low entropy) means the encoder is sure of that feature; two objects whose group
distributions overlap agree on that feature.
"""

import math
import re

import numpy as np

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
