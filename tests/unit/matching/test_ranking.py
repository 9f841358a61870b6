"""The occupation re-ranking's pure parts: the mix and the specificity prior's code hierarchy."""

import numpy as np
import pytest

from app.matching.lexical import Lexicon
from app.matching.ranking import Weights, code_ancestors, mix, narrower_counts


def test_code_ancestors_read_dotted_codes():
    assert code_ancestors("2654.1.2") == ["2654", "2654.1"]
    assert code_ancestors("2654") == [] and code_ancestors(None) == [] and code_ancestors("") == []
    assert code_ancestors("2654..1") == []  # malformed: no hierarchy rather than a wrong one


def test_narrower_counts_every_level_below():
    codes = ["2512", "2512.4", "2512.4.1", "2512.4.2", "2512.4.1.7", None, "9999"]
    assert narrower_counts(codes).tolist() == [4, 3, 1, 0, 0, 0, 0]


def test_mix_stays_on_the_cosine_scale_and_demotes_broad_occupations():
    w = Weights(1.0, 0.5, Lexicon.fit(["x"]), specificity=0.1)
    assert mix(1.0, 1.0, 1.0, Weights(1.0, 0.5, Lexicon.fit(["x"]))) == pytest.approx(1.0)
    assert mix(0.8, 0.6, 0.4, w) == pytest.approx((0.8 + 0.6 + 0.2) / 2.5)
    assert mix(0.8, 0.6, 0.4, w, narrower=3) == pytest.approx((0.8 + 0.6 + 0.2) / 2.5 - 0.1 * np.log(4))
    with pytest.raises(ValueError):
        Weights(lexical=0.5)  # a lexical weight needs a lexicon
