"""The occupation re-ranking's mix, a pure function."""

import pytest

from app.matching.lexical import Lexicon
from app.matching.ranking import RankingProfile, mix


def test_mix_stays_on_the_cosine_scale():
    w = RankingProfile(1.0, 0.5, Lexicon.fit(["x"]))
    assert mix(1.0, 1.0, 1.0, w) == pytest.approx(1.0) and mix(-1.0, -1.0, 0.0, w) >= -1.0
    assert mix(0.8, 0.6, 0.4, w) == pytest.approx((0.8 + 0.6 + 0.2) / 2.5)
    assert mix(0.8, 0.6, 0.4, RankingProfile()) == pytest.approx(0.8)  # labels only


def test_a_lexical_weight_needs_a_lexicon():
    with pytest.raises(ValueError):
        RankingProfile(lexical=0.5)
