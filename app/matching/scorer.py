"""Confidence for ranked results: the encoder's softmax groups plus the ranking context, calibrated."""

import logging
from pathlib import Path

import numpy as np

from app.matching.confidence import Calibrator, encoder_confidence, group_agreement, match_features

log = logging.getLogger(__name__)
CALIBRATION_FILE = "calibration.json"


class MatchScorer:
    """Reads group distributions from the encoder's head (when the model has one) and applies the
    calibrator stored beside the model. Without either, confidences are None: never invented."""

    def __init__(self, encoder, calibrator: Calibrator | None):
        self.encoder = encoder
        self.calibrator = calibrator

    @classmethod
    def for_encoder(cls, encoder) -> "MatchScorer":
        model_dir = getattr(encoder, "model_dir", None)  # the trained artifact's folder, whatever the backend
        path = Path(model_dir) / CALIBRATION_FILE if model_dir else None
        calibrator = None
        if path is not None and path.exists():
            calibrator = Calibrator.load(path)
            if calibrator.model_version != encoder.version:
                log.warning("calibration %s was fitted for model %s, not %s: confidences disabled",
                            path, calibrator.model_version, encoder.version)
                calibrator = None
        return cls(encoder, calibrator)

    @property
    def enabled(self) -> bool:
        return self.calibrator is not None

    def group_probs(self, vectors: np.ndarray) -> np.ndarray | None:
        """Group distributions of stored/served vectors (they are the pooled vectors the head reads)."""
        if getattr(self.encoder, "serve", "pooled") != "pooled" or not hasattr(self.encoder, "group_probs"):
            return None
        return self.encoder.group_probs(np.asarray(vectors, dtype=np.float32))

    def object_confidence(self, vectors: np.ndarray) -> np.ndarray | None:
        probs = self.group_probs(vectors)
        return None if probs is None else encoder_confidence(probs)

    def features(self, query: np.ndarray, targets: np.ndarray, scores: np.ndarray, next_score: float | None):
        """(feature matrix (M, len(FEATURES)), per-group agreement (M, G) or None) for a best-first list."""
        probs = self.group_probs(np.vstack([query[None], targets]))
        agreements = qc = tc = None
        if probs is not None:
            agreements = group_agreement(probs[0], probs[1:])
            conf = encoder_confidence(probs)
            qc, tc = float(conf[0]), conf[1:]
        return match_features(scores, agreements, qc, tc, next_score), agreements

    def score(self, query: np.ndarray, targets: np.ndarray, scores: np.ndarray, next_score: float | None):
        """(confidences or None, per-group agreement (M, G) or None) for a best-first result list."""
        if len(scores) == 0:
            return None, None
        X, agreements = self.features(query, targets, scores, next_score)
        if self.calibrator is None:
            return None, agreements
        return self.calibrator.predict(self.calibrator.select(X)), agreements
