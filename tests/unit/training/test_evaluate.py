import numpy as np
import pytest

from app.training.evaluate import gold_ranks, rank_report, target_scores


def test_target_scores_take_the_best_vector_of_each_target():
    vecs = np.array([[1, 0], [0, 1], [0.6, 0.8]], dtype=np.float32)
    owner = np.array([0, 0, 1])
    s = target_scores(np.array([[0, 1.0], [1.0, 0]], dtype=np.float32), vecs, owner, 2)
    assert np.allclose(s, [[1.0, 0.8], [1.0, 0.6]])


def test_unsorted_owner_is_rejected():
    with pytest.raises(ValueError):
        target_scores(np.ones((1, 2)), np.ones((2, 2)), np.array([1, 0]), 2)


def test_ranks_and_report():
    scores = np.array([[0.9, 0.1, 0.5], [0.2, 0.3, 0.4], [0.5, 0.5, 0.1]])
    ranks = gold_ranks(scores, np.array([0, 0, 1]))
    assert ranks.tolist() == [1, 3, 2]  # a tie counts against the gold
    rep = rank_report(ranks)
    assert rep.mrr == pytest.approx((1 + 1 / 3 + 1 / 2) / 3) and rep.r1 == pytest.approx(1 / 3)
    assert rep.r5 == 1.0
