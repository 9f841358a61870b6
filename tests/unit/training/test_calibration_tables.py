"""The served occupation ranking rebuilt in matrices (what calibrate.py and evaluate.py measure)."""

import numpy as np
import pytest

from app.matching.occupations import mix
from app.training.calibration import Rankings, choose_weight


def test_served_ranking_only_re_ranks_the_best_candidates_by_label():
    label = np.array([[0.9, 0.8, 0.7, 0.1]], dtype=np.float32)
    desc = np.array([[0.0, 0.9, 0.1, 1.0]], dtype=np.float32)
    served = Rankings(label, desc).served(1.0, depth=3)
    assert served[0, 3] == -np.inf  # fourth by label: never a candidate, whatever its description
    assert np.argmax(served[0]) == 1  # second by label, first once its description counts
    assert served[0, 1] == pytest.approx(mix(0.8, 0.9, 1.0)) == pytest.approx(0.85)
    assert np.allclose(Rankings(label, desc).full(0.0), label)


def test_the_weight_is_chosen_by_mrr():
    label = np.array([[0.9, 0.8], [0.9, 0.8]], dtype=np.float32)
    desc = np.array([[0.0, 0.9], [0.1, 0.5]], dtype=np.float32)
    gold = np.array([1, 1])  # descriptions point at the gold occupation
    assert choose_weight(Rankings(label, desc), gold, depth=2, weights=(0.0, 1.0)) == 1.0
    assert choose_weight(Rankings(label, desc), np.array([0, 0]), depth=2, weights=(0.0, 1.0)) == 0.0
