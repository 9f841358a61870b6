"""How occupation candidates are re-ranked: the best label's cosine mixed with the description's
cosine and the lexical (character n-gram) cosine, less a specificity prior for broad occupations.
The weights and the lexicon are fitted per model by `scripts/calibrate.py` and stored in its
calibration.json, with the calibrators fitted on this ranking.

Specificity: an occupation with narrower occupations under it in the ontology (ESCO's "software
developer" above "java developer"...) is an umbrella term. A vacancy names a job, so the broad
occupation loses s x log(1 + number of narrower occupations). The hierarchy is read from dotted
codes (ESCO's: 2512.4 is above 2512.4.1); occupations without a code are never demoted.
"""

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from app.matching.lexical import Lexicon


@dataclass(frozen=True)
class Weights:
    description: float = 0.0
    lexical: float = 0.0
    lexicon: Lexicon | None = field(default=None, compare=False)  # needed when lexical > 0
    specificity: float = 0.0

    def __post_init__(self):
        if self.lexical and self.lexicon is None:
            raise ValueError("a lexical weight needs a lexicon")


def mix(label_score, description_score, lexical_score, weights: Weights, narrower=0):
    """The occupation score: (best label + w_d x description + w_l x lexical) / (1 + w_d + w_l), on the
    cosine scale, less s x log(1 + narrower) (scalars or arrays)."""
    return ((label_score + weights.description * description_score + weights.lexical * lexical_score)
            / (1.0 + weights.description + weights.lexical) - weights.specificity * np.log1p(narrower))


def code_ancestors(code: str | None) -> list[str]:
    """The codes above one in a dotted hierarchy: '2654.1.2' -> ['2654', '2654.1'] ([] without a code)."""
    parts = (code or "").strip().split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))] if all(parts) else []


def narrower_counts(codes: list[str | None]) -> np.ndarray:
    """For each code, how many of the others sit below it (what the occupation index counts in the store)."""
    below = Counter(a for c in codes for a in code_ancestors(c))
    return np.array([below.get((c or "").strip(), 0) if c else 0 for c in codes], dtype=np.int64)
