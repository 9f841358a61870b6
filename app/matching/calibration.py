"""The persisted calibrator: logistic regression from confidence features to the probability that a
match is right, fitted offline (`scripts/calibrate.py`, `scripts/evaluate_matching.py --fit`) and stored
as JSON beside the model it was fitted for."""

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.encoder.base import Encoder
from app.matching.confidence import FEATURES
from app.matching.lexical import Lexicon
from app.matching.ranking import RankingProfile

log = logging.getLogger(__name__)


@dataclass
class Calibrator:
    """Logistic regression on standardised features (Platt scaling generalised to several inputs).

    Stored as JSON beside the model artifact, tagged with the model version it was fitted for.
    """

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    model_version: str = ""

    @classmethod
    def fit(
        cls,
        X: np.ndarray,
        y: np.ndarray,
        features=FEATURES,
        model_version: str = "",
        c: float = 1.0,
        sample_weight: np.ndarray | None = None,
    ):
        """`sample_weight` lets sets of different sizes count alike (e.g. clean and noisy titles)."""
        from sklearn.linear_model import LogisticRegression

        if X.shape[1] != len(features):
            raise ValueError(f"X has {X.shape[1]} columns for {len(features)} features")
        if len(set(np.asarray(y).tolist())) < 2:
            raise ValueError("calibration needs both right and wrong examples")
        mean, scale = X.mean(axis=0), X.std(axis=0)
        scale = np.where(scale > 1e-9, scale, 1.0)
        lr = LogisticRegression(C=c, max_iter=1000).fit((X - mean) / scale, y, sample_weight=sample_weight)
        return cls(tuple(features), mean, scale, lr.coef_[0], float(lr.intercept_[0]), model_version)

    def predict(self, X: np.ndarray) -> np.ndarray:
        z = ((np.asarray(X, dtype=np.float64) - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def select(self, X_full: np.ndarray, columns: tuple[str, ...] = FEATURES) -> np.ndarray:
        """Pick this calibrator's columns out of a full feature matrix whose columns are `columns`."""
        return X_full[:, [columns.index(f) for f in self.features]]

    def to_dict(self) -> dict:
        return {
            "features": list(self.features),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
            "model_version": self.model_version,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Calibrator":
        return cls(
            tuple(d["features"]),
            np.array(d["mean"]),
            np.array(d["scale"]),
            np.array(d["coef"]),
            float(d["intercept"]),
            d.get("model_version", ""),
        )


@dataclass
class Calibration:
    """What `scripts/calibrate.py` fits for one model version, stored as calibration.json beside it:
    the calibrator of job <-> candidate matches (FEATURES), the calibrator of occupation normalisation
    (OCCUPATION_FEATURES), and the occupation ranking they were fitted on (its weights and lexicon)."""

    model_version: str
    match: Calibrator
    occupation: Calibrator | None = None
    ranking: RankingProfile = field(default_factory=RankingProfile)

    def save(self, path: Path) -> None:
        r = self.ranking
        path.write_text(
            json.dumps(
                {
                    "model_version": self.model_version,
                    "description_weight": r.description,
                    "lexical_weight": r.lexical,
                    "match": self.match.to_dict(),
                    "occupation": self.occupation.to_dict() if self.occupation else None,
                    "lexicon": r.lexicon.to_dict() if r.lexicon else None,
                }
            )
        )

    @classmethod
    def load(cls, path: Path) -> "Calibration":
        d = json.loads(path.read_text())
        occ = Calibrator.from_dict(d["occupation"]) if d.get("occupation") else None
        lexicon = Lexicon.from_dict(d["lexicon"]) if d.get("lexicon") else None
        ranking = RankingProfile(
            float(d.get("description_weight", 0.0)), float(d.get("lexical_weight", 0.0)) if lexicon else 0.0, lexicon
        )
        return cls(d["model_version"], Calibrator.from_dict(d["match"]), occ, ranking)


CALIBRATION_FILE = "calibration.json"


def load_calibration(encoder: Encoder) -> Calibration | None:
    """The calibration stored beside the encoder's trained artifact, if it was fitted for these very
    weights (another model version disables it, with a log line)."""
    model_dir = encoder.model_dir  # the trained artifact's folder, whatever the backend
    path = Path(model_dir) / CALIBRATION_FILE if model_dir else None
    if path is None or not path.exists():
        return None
    calibration = Calibration.load(path)
    if calibration.model_version != encoder.version:
        log.warning(
            "calibration %s was fitted for model %s, not %s: confidences disabled",
            path,
            calibration.model_version,
            encoder.version,
        )
        return None
    return calibration


def ranking_profile(calibration: Calibration | None) -> RankingProfile:
    """The occupation ranking fitted with the calibration; labels only without one."""
    return calibration.ranking if calibration else RankingProfile()
