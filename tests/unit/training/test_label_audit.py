"""Diagnostics of the validation labels (what a confidence can reach on them), never served."""

import numpy as np
import pytest

from app.training.label_audit import (
    cross_fitted_prior,
    named_errors,
    occupation_prior,
    prior_confidence,
    repeated_titles,
    title_key,
)


def test_titles_are_compared_by_their_words():
    assert title_key("  Java-Developer (m/f) ") == title_key("java developer M F") == "java developer m f"


def test_repeated_titles_with_different_labels_cap_any_title_only_method():
    titles = ["Java Developer", "JAVA DEVELOPER", "java developer!", "Nurse", "nurse", "Welder"]
    gold = np.array([1, 1, 2, 5, 5, 9])
    rep = repeated_titles(titles, gold)
    assert (rep.groups, rep.rows, rep.inconsistent) == (2, 5, 1)
    assert rep.ceiling == pytest.approx(4 / 5)  # "java developer" can be right twice of three, "nurse" twice
    assert rep.mask.tolist() == [True, True, True, True, True, False]


def test_named_errors_counts_confident_errors_whose_title_holds_the_predicted_label():
    conf = np.array([0.9, 0.8, 0.75, 0.2, 0.95])
    correct = np.array([False, False, False, False, True])
    coverage = np.array([1.0, 0.5, 1.0, 1.0, 1.0])
    n, share = named_errors(conf, correct, coverage, 0.7)
    assert n == 3 and share == pytest.approx(2 / 3)
    n, share = named_errors(conf, np.ones(5, bool), coverage)
    assert n == 0 and np.isnan(share)


def test_occupation_prior_is_a_shrunk_precision_and_falls_back_to_the_overall_one():
    top = np.array([0, 0, 0, 0, 1, 1])
    correct = np.array([1, 1, 1, 1, 0, 0], dtype=bool)
    p0 = 4 / 6
    prior = occupation_prior(top, correct, np.array([0, 1, 2]), n_occ=3, strength=2.0)
    assert np.exp(prior) == pytest.approx([(4 + 2 * p0) / 6, (0 + 2 * p0) / 4, p0])


def test_cross_fitted_prior_never_sees_a_rows_own_label():
    top = np.zeros(10, dtype=int)  # every row predicts occupation 0
    correct = np.zeros(10, dtype=bool)
    correct[[3, 7]] = True
    prior = cross_fitted_prior(top, correct, n_occ=1, folds=10)
    # one row a fold: a right row's prior sees one right row of nine, a wrong row's sees two
    assert prior[3] == prior[7] < prior[~correct].min()
    assert np.exp(prior[3]) == pytest.approx(1 / 9)


def test_the_prior_lifts_auroc_on_seen_occupations_only():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    n, n_occ = 4000, 40
    top = rng.integers(0, n_occ, n)
    precision = np.linspace(0.05, 0.95, n_occ)  # labels agree with some occupations far more often
    correct = rng.random(n) < precision[top]
    X = rng.normal(size=(n, 2))  # features that know nothing
    conf = prior_confidence(X[:2000], correct[:2000], top[:2000], X[2000:], top[2000:], n_occ)
    assert roc_auc_score(correct[2000:], conf) > 0.7
    seen = top < n_occ // 2
    unseen = prior_confidence(X[seen], correct[seen], top[seen], X[~seen], top[~seen], n_occ)
    assert roc_auc_score(correct[~seen], unseen) < 0.6
