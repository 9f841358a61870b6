"""Ranking and confidence metrics on pools, checked against hand-computed values; fitting on toy pools."""

import numpy as np
import pytest

from app.matching.criteria import CRITERIA
from app.matching.match_model import Ranker
from app.training.match_fit import (
    Pool,
    auroc,
    confidence_metrics,
    fit_calibrator,
    fit_weights,
    ranking_metrics,
    split_by_query,
    with_priors,
)


def pool(grades, rows=None):
    grades = np.array(grades)
    rows = np.zeros((len(grades), len(CRITERIA))) if rows is None else np.array(rows, dtype=float)
    return Pool("q", [str(i) for i in range(len(grades))], rows, grades)


def test_ranking_metrics_by_hand():
    served = lambda p: -np.arange(len(p.grades))  # noqa: E731 - the served order
    m = ranking_metrics([pool([1, 2, 0]), pool([2, 0, 1]), pool([0, 0, 0])], served)
    assert m["mrr"] == pytest.approx((0.5 + 1 + 0) / 3)
    assert m["hit@1"] == pytest.approx(1 / 3) and m["fit_above_weakened"] == pytest.approx(1 / 3)
    ideal = 3 + 1 / np.log2(3)
    first = (1 + 3 / np.log2(3)) / ideal
    second = (3 + 1 / np.log2(4)) / ideal
    assert m["ndcg@10"] == pytest.approx((first + second + 0) / 3)


def test_split_is_fixed_and_disjoint():
    ids = [f"j{i}" for i in range(11)]
    a, b = split_by_query(ids, seed=0)
    assert a.isdisjoint(b) and a | b == set(ids) and (a, b) == split_by_query(list(reversed(ids)), seed=0)


def test_auroc():
    assert auroc(np.array([0.9, 0.8]), np.array([0.1, 0.8])) == pytest.approx(0.875)


def toy_pools(n=60, seed=0):
    """Skills decide the fit (grade 2) against a weakened copy (1) and unrelated records (0)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        rows = rng.uniform(0, 0.6, size=(8, len(CRITERIA)))
        rows[0, 2], rows[1, 2] = rng.uniform(0.8, 1.0), rng.uniform(0.3, 0.7)  # fit, weakened: skills
        rows[:2, 1] = rng.uniform(0.7, 1.0, size=2)  # both lexically close
        out.append(pool([2, 1, 0, 0, 0, 0, 0, 0], rows))
    return out


def test_fitted_weights_rank_the_fit_first_and_confidence_separates_it():
    train, test = toy_pools(seed=1), toy_pools(seed=2)
    model = Ranker(fit_weights(train))
    assert max(model.weights, key=model.weights.get) == "skills"
    assert ranking_metrics(test, lambda p: model.scores(p.rows))["mrr"] > 0.95
    model.calibrator = fit_calibrator(train, model)
    conf = confidence_metrics(test, model)
    assert conf["auroc_fit_vs_weakened"] > 0.9 and conf["auroc_fit_vs_unrelated"] > 0.9
    assert conf["mean_fit"] > conf["mean_weakened"] > conf["mean_unrelated"]


def test_criteria_the_data_cannot_inform_get_a_prior_and_change_no_order():
    pools = toy_pools(seed=3)
    for p in pools:
        p.rows[:, CRITERIA.index("location")] = 1.0  # no record states a location
    fitted = fit_weights(pools)
    w = with_priors(fitted, pools, prior=0.1)
    assert w["location"] == 0.1 and sum(w.values()) == pytest.approx(1.0)
    assert w["skills"] == pytest.approx(fitted["skills"] * 0.9 / (1 - fitted["location"]))
    for p in pools:
        assert (np.argsort(-Ranker(w).scores(p.rows)) == np.argsort(-Ranker(fitted).scores(p.rows))).all()
