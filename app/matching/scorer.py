"""Confidence for ranked results: the encoder's softmax groups plus the ranking context, calibrated."""

import logging

import numpy as np

from app.encoder.base import Encoder
from app.matching.calibration import Calibration, load_calibration
from app.matching.confidence import (
    OCCUPATION_FEATURES,
    encoder_confidence,
    group_agreement,
    match_features,
    occupation_features,
)

log = logging.getLogger(__name__)


class MatchScorer:
    """Reads group distributions from the encoder's head (when the model has one) and applies the
    calibration stored beside the model. Without either, confidences are None: never invented."""

    def __init__(self, encoder: Encoder, calibration: Calibration | None):
        self.encoder = encoder
        self.calibration = calibration

    @classmethod
    def for_encoder(cls, encoder: Encoder) -> "MatchScorer":
        return cls(encoder, load_calibration(encoder))

    def group_probs(self, vectors: np.ndarray) -> np.ndarray | None:
        """Group distributions of stored/served vectors (they are the pooled vectors the head reads)."""
        if self.encoder.serve != "pooled":
            return None
        return self.encoder.group_probs(np.asarray(vectors, dtype=np.float32))

    def object_confidence(self, vectors: np.ndarray) -> np.ndarray | None:
        probs = self.group_probs(vectors)
        return None if probs is None else encoder_confidence(probs)

    def _groups(self, query: np.ndarray, targets: np.ndarray):
        """(per-group agreement (M, G), query confidence, target confidences (M,)), or Nones without groups."""
        probs = self.group_probs(np.vstack([query[None], targets]))
        if probs is None:
            return None, None, None
        conf = encoder_confidence(probs)
        return group_agreement(probs[0], probs[1:]), float(conf[0]), conf[1:]

    def features(self, query: np.ndarray, targets: np.ndarray, scores: np.ndarray, next_score: float | None):
        """(feature matrix (M, len(FEATURES)), per-group agreement (M, G) or None) for a best-first list."""
        agreements, qc, tc = self._groups(query, targets)
        return match_features(scores, agreements, qc, tc, next_score), agreements

    def occupation_features(
        self,
        query: np.ndarray,
        targets: np.ndarray,
        scores,
        label_scores,
        description_scores,
        lexical_scores,
        label_cov,
        any_label_cov,
        radius,
    ) -> np.ndarray:
        """OCCUPATION_FEATURES of the first len(targets) candidates of a best-first occupation list."""
        agreements, qc, tc = self._groups(query, targets)
        return occupation_features(
            scores,
            label_scores,
            description_scores,
            lexical_scores,
            agreements,
            qc,
            tc,
            label_cov,
            any_label_cov,
            radius,
        )

    def score_occupations(self, query: np.ndarray, targets: np.ndarray, *columns) -> np.ndarray | None:
        """Confidences of the first len(targets) candidates (see `occupation_features`), or None."""
        cal = self.calibration.occupation if self.calibration else None
        if cal is None or len(targets) == 0:
            return None
        X = self.occupation_features(query, targets, *columns)
        return cal.predict(cal.select(X, OCCUPATION_FEATURES))
