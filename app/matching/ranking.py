"""How occupation candidates are re-ranked: the best label's cosine mixed with the description's
cosine and the lexical (character n-gram) cosine. The weights and the lexicon are fitted per model
by `scripts/calibrate.py` and stored in its calibration.json, with the calibrators fitted on this
ranking."""

from dataclasses import dataclass, field

from app.matching.lexical import Lexicon


@dataclass(frozen=True)
class RankingProfile:
    """How the occupation index mixes its scores: the description's and the lexical score's weights
    against the best label's (1), and the lexicon the lexical score reads. Labels only by default."""

    description: float = 0.0
    lexical: float = 0.0
    lexicon: Lexicon | None = field(default=None, compare=False)  # needed when lexical > 0

    def __post_init__(self):
        if self.lexical and self.lexicon is None:
            raise ValueError("a lexical weight needs a lexicon")


def mix(label_score, description_score, lexical_score, weights: RankingProfile):
    """The occupation score: (best label + w_d x description + w_l x lexical) / (1 + w_d + w_l), on the
    cosine scale (scalars or arrays)."""
    return (label_score + weights.description * description_score + weights.lexical * lexical_score) / (
        1.0 + weights.description + weights.lexical
    )
