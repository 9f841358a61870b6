"""The served occupation ranking rebuilt in matrices (what calibrate.py and evaluate.py measure)."""

import numpy as np
import pytest

from app.matching.lexical import Lexicon
from app.matching.ranking import RankingProfile, mix
from app.training.calibration import Rankings, choose_weights


def test_served_ranking_only_re_ranks_the_best_candidates_by_label():
    label = np.array([[0.9, 0.8, 0.7, 0.1]], dtype=np.float32)
    desc = np.array([[0.0, 0.9, 0.1, 1.0]], dtype=np.float32)
    served = Rankings(label, desc).served(RankingProfile(1.0), depth=3)
    assert served[0, 3] == -np.inf  # fourth by label: never a candidate, whatever its description
    assert np.argmax(served[0]) == 1  # second by label, first once its description counts
    assert served[0, 1] == pytest.approx(mix(0.8, 0.9, 0.0, RankingProfile(1.0))) == pytest.approx(0.85)
    assert np.allclose(Rankings(label, desc).full(RankingProfile()), label)


def test_the_lexical_score_joins_the_mix():
    label = np.array([[0.9, 0.8, 0.7]], dtype=np.float32)
    desc = np.zeros_like(label)
    lexical = np.array([[0.1, 0.2, 1.0]], dtype=np.float32)
    w = RankingProfile(0.5, 1.0, Lexicon.fit(["x"]))
    served = Rankings(label, desc, lexical).served(w, depth=3)
    assert np.argmax(served[0]) == 2 and served[0, 2] == pytest.approx((0.7 + 1.0) / 2.5)


def test_the_weights_are_chosen_together_by_mrr():
    label = np.array([[0.9, 0.8, 0.7], [0.9, 0.8, 0.7]], dtype=np.float32)
    desc = np.array([[0.0, 0.9, 0.0], [0.1, 0.5, 0.0]], dtype=np.float32)  # descriptions point at occupation 1
    lexical = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]], dtype=np.float32)  # wording points at occupation 2
    lexicon = Lexicon.fit(["x"])
    r = Rankings(label, desc, lexical)

    def chosen(gold, lex=lexicon):
        w = choose_weights(r, np.array(gold), 3, lex, description=(0.0, 1.0), lexical=(0.0, 1.0))
        return w.description, w.lexical

    assert chosen([1, 1]) == (1.0, 0.0) and chosen([2, 2]) == (0.0, 1.0) and chosen([0, 0]) == (0.0, 0.0)
    assert chosen([2, 2], None) == (0.0, 0.0)  # no lexicon, no lexical weight


def test_top1_tables_concatenate_in_order():
    from app.training.calibration import Top1Table

    a = Top1Table(np.zeros((2, 3)), np.zeros((2, 4)), np.array([True, False]), np.array([5, 6]))
    b = Top1Table(np.ones((1, 3)), np.ones((1, 4)), np.array([True]), np.array([7]))
    both = Top1Table.concat(a, b)
    assert both.X_match.shape == (3, 3) and both.X_occupation.shape == (3, 4)
    assert both.X_occupation[2].tolist() == [1, 1, 1, 1]
    assert both.correct.tolist() == [True, False, True] and both.top.tolist() == [5, 6, 7]
