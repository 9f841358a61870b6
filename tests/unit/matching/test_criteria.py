"""Criterion scores of hand-written, realistic job/CV pairs: each criterion rewards what it names."""

import numpy as np
import pytest

from app.domain import Kind
from app.ingest.extract import extract_cv, extract_job
from app.matching.calibration import Calibrator
from app.matching.criteria import CRITERIA, score_pair
from app.matching.lexical_vectors import Bm25Encoder
from app.matching.match_model import FEATURES, Ranker, context_features, normalise_weights
from app.matching.sides import side_of

BM25 = Bm25Encoder()
JOB = {
    "title": "Backend Engineer (Python)",
    "languages": {"de": "B2"},
    "location": {"city": "Berlin", "country": "DE"},
    "description": "## Required Skills\n- Python\n- PostgreSQL\n- Docker\n- Kubernetes\n\n"
    "## Required Experience\n- 4 years as a Backend Engineer\n",
}
STRONG = {
    "desired_title": "Backend Engineer",
    "languages": {"de": "C1", "en": "C2"},
    "location": {"city": "berlin", "country": "DE"},
    "cv_text": "SKILLS\nPython, PostgreSQL, Docker, Kubernetes, Terraform\n\nEXPERIENCE\n"
    "Backend Engineer, Acme GmbH   2018 - 2024\nJunior Developer, Foo AG   2016 - 2018\n",
}
WEAK = {
    "desired_title": "Backend Engineer",
    "languages": {"en": "C2"},
    "location": {"city": "Paris", "country": "FR"},
    "cv_text": "SKILLS\nPython, Docker\n\nEXPERIENCE\nBackend Engineer, Acme GmbH   2022 - 2024\n",
}


def side(kind, doc):
    text = doc.get("description") or doc.get("cv_text") or ""
    ex = extract_job(text) if kind is Kind.JOB else extract_cv(text, 2026.9)
    return side_of(kind, doc, ex.as_payload(), [], BM25)


def test_each_criterion_prefers_the_strong_cv():
    job = side(Kind.JOB, JOB)
    strong, weak = (
        score_pair(job, side(Kind.CANDIDATE, STRONG), 0.8, 1.0),
        score_pair(job, side(Kind.CANDIDATE, WEAK), 0.8, 1.0),
    )
    assert strong["skills"].score == 1.0 and weak["skills"].score == 0.5
    assert weak["skills"].evidence["missing"] == ["PostgreSQL", "Kubernetes"]
    assert strong["experience"].score == 1.0 and weak["experience"].score == pytest.approx(0.5)
    assert strong["language"].score == 1.0 and weak["language"].evidence["missing"] == ["de"]
    assert strong["location"].score == 1.0 and weak["location"].score == 0.0
    assert strong["title"].score == pytest.approx(2 / 3)  # "(Python)" is not in the CV's title


def test_requirements_a_job_does_not_state_count_for_nobody():
    job = side(Kind.JOB, {"title": "Cook", "description": "Cook lunch for 200 guests."})
    c = score_pair(job, side(Kind.CANDIDATE, WEAK), 0.3, 0.0)
    assert [c[k].score for k in ("skills", "experience", "language", "location")] == [1.0, 1.0, 1.0, 1.0]


def test_a_mentioned_skill_counts_half_of_a_listed_one():
    job = side(Kind.JOB, {"title": "x", "skills": ["Kubernetes"]})
    listed = side(Kind.CANDIDATE, {"cv_text": "SKILLS\nKubernetes, Go"})
    mentioned = side(Kind.CANDIDATE, {"cv_text": "SKILLS\nGo\n\nPROJECTS\nI once deployed to Kubernetes."})
    assert score_pair(job, listed, 0, 0)["skills"].score == 1.0
    # coverage: a mention is half a listed skill (share 0.5 of the 0.6 that counts as found);
    # pairing: no listed item names Kubernetes
    assert score_pair(job, mentioned, 0, 0)["skills"].score == pytest.approx((0.5 / 0.6 + 0) / 2)


def test_one_listed_skill_pairs_with_one_requirement_only():
    job = side(Kind.JOB, {"title": "x", "skills": ["Python", "Automated testing of Python services"]})
    both = score_pair(job, side(Kind.CANDIDATE, {"cv_text": "SKILLS\nPython, Automated testing"}), 0, 0)["skills"]
    one = score_pair(job, side(Kind.CANDIDATE, {"cv_text": "SKILLS\nPython"}), 0, 0)["skills"]
    assert both.score == 1.0
    assert {(p["required"], p["listed"]) for p in both.evidence["pairs"]} == {
        ("Python", "Python"),
        ("Automated testing of Python services", "Automated testing"),
    }
    # "Python" alone covers most words of both requirements, but pairs with one of them
    assert one.evidence["pairs"] == [{"required": "Python", "listed": "Python"}]
    assert one.score < 0.8


def test_weights_normalise_and_refuse_nonsense():
    w = normalise_weights({"skills": 3, "experience": 1})
    assert w["skills"] == 0.75 and w["experience"] == 0.25 and sum(w.values()) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        normalise_weights({"salary": 1})
    with pytest.raises(ValueError):
        normalise_weights({"skills": 0})


def test_scores_are_the_weighted_mean_and_requests_may_reweight():
    X = np.array([[1, 0, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0, 0]], dtype=float)
    model = Ranker()
    assert np.allclose(model.scores(X), [1 / len(CRITERIA)] * 2)
    assert np.allclose(model.scores(X, {"skills": 1}), [0, 1])
    assert model.confidence(X, model.scores(X)) is None  # no calibrator: no invented confidence


def test_context_features():
    ctx = context_features(np.array([0.9, 0.7, 0.7, 0.1]), depth=4)
    assert np.allclose(ctx[:, 0], [0, -0.2, -0.2, -0.8]) and np.allclose(ctx[:, 1], [0.25, 0.75, 0.75, 1.0])
    # ranks are shares of the retrieval depth, not of what a small store or a narrow filter returned
    assert np.allclose(context_features(np.array([0.9, 0.7, 0.7, 0.1]))[:, 1], [1 / 50, 3 / 50, 3 / 50, 4 / 50])
    assert np.allclose(context_features(np.arange(60.0)[::-1], depth=50)[-1, 1], 1.0)


def test_a_narrow_filter_does_not_lower_the_best_ones_confidence():
    """The same pair, best of 50 or best of 1, gets the same confidence (its criteria are the same)."""
    model = Ranker()
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 0.5, (50, len(CRITERIA)))
    X[0] = 0.9
    model.calibrator = Calibrator.from_dict(
        {
            "features": list(FEATURES),
            "mean": [0.0] * len(FEATURES),
            "scale": [1.0] * len(FEATURES),
            "coef": [1.0] * len(CRITERIA) + [2.0, -3.0],
            "intercept": -4.0,
            "model_version": "",
        }
    )
    full = model.confidence(X, model.scores(X))[0]
    alone = model.confidence(X[:1], model.scores(X[:1]))[0]
    assert full == pytest.approx(alone)
