import numpy as np
import pytest

from app.matching.calibration import Calibration, Calibrator
from app.matching.confidence import (
    FEATURES,
    OCCUPATION_FEATURES,
    coverage,
    encoder_confidence,
    group_agreement,
    group_sharpness,
    label_radius,
    match_features,
    occupation_features,
    rank_among,
    ranking_features,
    words,
)
from app.matching.explain import shared_terms
from app.matching.lexical import Lexicon
from app.matching.ranking import RankingProfile
from app.training.metrics import accuracy_at_coverage, brier_score, expected_calibration_error


def test_sharpness_is_one_for_one_hot_and_zero_for_uniform():
    probs = np.array([[[1.0, 0, 0, 0], [0.25, 0.25, 0.25, 0.25]]])
    assert np.allclose(group_sharpness(probs), [[1.0, 0.0]], atol=1e-6)
    assert encoder_confidence(probs)[0] == pytest.approx(0.5, abs=1e-6)


def test_agreement_is_overlap_of_distributions():
    q = np.array([[1.0, 0.0], [0.5, 0.5]])
    t = np.array([[[1.0, 0.0], [0.5, 0.5]], [[0.0, 1.0], [1.0, 0.0]]])
    a = group_agreement(q, t)
    assert np.allclose(a[0], [1.0, 1.0]) and a[1, 0] == pytest.approx(0.0)
    assert a[1, 1] == pytest.approx(np.sqrt(0.5))


def test_ranking_features():
    margin, gap = ranking_features(np.array([0.9, 0.7, 0.65]), next_score=0.6)
    assert np.allclose(margin, [0.2, 0.05, 0.05]) and np.allclose(gap, [0, 0.2, 0.25])
    margin, _ = ranking_features(np.array([0.9]))
    assert margin[0] == 0.0


def test_match_features_fill_neutral_values_without_a_head():
    X = match_features(np.array([0.8, 0.5]), None, None, None, 0.4)
    assert X.shape == (2, len(FEATURES)) and np.allclose(X[:, 3:], 1.0)


def test_calibrator_learns_a_monotone_probability_and_roundtrips(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 2))
    y = rng.random(2000) < 1 / (1 + np.exp(-(2 * X[:, 0] - 1)))
    cal = Calibrator.fit(X, y, features=("score", "margin_next"), model_version="v1")
    p = cal.predict(np.array([[-2.0, 0], [0, 0], [2.0, 0]]))
    assert p[0] < p[1] < p[2] and 0 < p[0] and p[2] < 1
    assert expected_calibration_error(cal.predict(X), y) < 0.05
    lexicon = Lexicon.fit(["nurse", "welder"])
    Calibration("v1", cal, cal, RankingProfile(0.4, 0.3, lexicon)).save(tmp_path / "c.json")
    again = Calibration.load(tmp_path / "c.json")
    assert again.model_version == "v1" and (again.ranking.description, again.ranking.lexical) == (0.4, 0.3)
    assert again.ranking.lexicon.vector("nurses") == lexicon.vector("nurses")
    assert np.allclose(again.match.predict(X[:5]), cal.predict(X[:5]))
    assert np.allclose(again.occupation.predict(X[:5]), cal.predict(X[:5]))


def test_words_and_coverage():
    assert words("Senior Java-Developer (m/f/d) #123") == {"senior", "java", "developer", "m", "f", "d"}
    assert coverage(words("Java Developer Berlin"), "java developer") == 1.0
    assert coverage(words("Barista"), "head barista") == 0.5
    assert coverage(words("anything"), "123") == 0.0


def test_label_radius_and_ranks():
    v = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]])
    assert label_radius(v) == pytest.approx((1.0 + 0.6 + 0.0) / 3)
    assert rank_among(np.array([0.2, 0.9, 0.5, 0.9])).tolist() == [4, 1, 3, 1]


def test_occupation_features_take_ranks_and_gaps_among_all_candidates():
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    label = np.array([0.85, 0.95, 0.6, 0.5, 0.4, 0.3])  # the top occupation is second by label
    desc = np.array([0.7, 0.2, 0.9, 0.1, 0.0, 0.0])  # ... and second by description
    lexical = np.array([0.3, 0.6, 0.1, 0.0, 0.0, 0.9])  # ... and third by wording
    X = occupation_features(
        scores, label, desc, lexical, None, None, None, np.array([1.0, 0.5]), np.array([1.0, 1.0]), np.array([0.8, 0.9])
    )
    col = {f: X[:, i] for i, f in enumerate(OCCUPATION_FEATURES)}
    assert X.shape == (2, len(OCCUPATION_FEATURES))
    assert np.allclose(col["margin_next"], [0.1, 0.1]) and np.allclose(col["gap_4_down"], [0.4, 0.4])
    assert np.allclose(col["log_label_rank"], np.log([2, 1])) and np.allclose(
        col["log_description_rank"], np.log([2, 3])
    )
    assert np.allclose(col["label_over_radius"], [0.05, 0.05]) and np.allclose(col["agreement_mean"], 1.0)
    assert np.allclose(col["lexical_score"], [0.3, 0.6]) and np.allclose(col["log_lexical_rank"], np.log([3, 2]))


def test_calibrator_rejects_one_class_and_wrong_shapes():
    with pytest.raises(ValueError):
        Calibrator.fit(np.zeros((4, len(FEATURES))), np.ones(4, dtype=bool))
    with pytest.raises(ValueError):
        Calibrator.fit(np.zeros((4, 2)), np.array([0, 1, 0, 1]))


def test_ece_brier_and_coverage():
    conf = np.array([0.9, 0.9, 0.1, 0.1])
    correct = np.array([1, 1, 0, 0])
    assert expected_calibration_error(conf, correct) == pytest.approx(0.1)
    assert brier_score(conf, correct) == pytest.approx(0.01)
    assert accuracy_at_coverage(conf, correct, 0.5) == 1.0 and accuracy_at_coverage(conf, correct, 1.0) == 0.5
    assert expected_calibration_error(np.array([0.5, 0.5]), np.array([1, 0])) == 0.0


def test_shared_terms_put_skills_first():
    out = shared_terms(
        "Python developer with PostgreSQL",
        "Backend engineer: Python, PostgreSQL, Docker",
        ["Python"],
        ["python", "docker"],
    )
    assert out[0] == "python" and "postgresql" in out and "with" not in out


def test_no_good_match():
    from app.matching.confidence import no_good_match

    assert no_good_match([], 0.5)
    assert no_good_match([0.2, 0.3], 0.5)
    assert not no_good_match([0.7], 0.5)
    assert not no_good_match([None], 0.5)  # no calibrator: nothing to judge by
