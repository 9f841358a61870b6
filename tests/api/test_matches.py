"""Matching both ways, ad hoc, with filters, and /v1/embed."""

import numpy as np
import pytest

from tests.fixtures.people import CANDIDATES, JOBS


@pytest.fixture
def loaded(client):
    jobs = {j["external_id"]: client.post("/v1/jobs", json=j).json()["id"] for j in JOBS}
    cands = {
        c["external_id"]: r["id"]
        for c, r in zip(CANDIDATES, client.post("/v1/candidates/bulk", json=CANDIDATES).json()["results"])
    }
    return client, jobs, cands


def ext_ids(resp):
    return [m["external_id"] for m in resp.json()["matches"]]


def test_candidates_for_a_job_best_first(loaded, encoder):
    client, jobs, _ = loaded
    r = client.post(f"/v1/jobs/{jobs['job-py']}/matches", json={"limit": 3})
    assert r.status_code == 200
    ms = r.json()["matches"]
    assert ext_ids(r)[-1] == "cand-ben"  # the nurse is the worst fit for a Python job
    assert set(ext_ids(r)[:2]) == {"cand-anna", "cand-chloe"}
    assert all(a["score"] >= b["score"] for a, b in zip(ms, ms[1:]))
    assert r.json()["model"] == f"{encoder.name}@{encoder.version}" and "confidence" in ms[0]


def test_jobs_for_a_candidate(loaded):
    client, _, cands = loaded
    r = client.post(f"/v1/candidates/{cands['cand-ben']}/matches")
    assert ext_ids(r) == ["job-nurse", "job-py"]


@pytest.mark.parametrize(
    "filters,expected",
    [
        ({"location": {"city": "berlin"}}, {"cand-anna"}),
        ({"location": {"country": "fr"}}, {"cand-chloe"}),
        ({"location": {"lat": 48.1, "lon": 11.6, "radius_km": 50}}, {"cand-ben"}),
        ({"remote": True}, {"cand-anna"}),
        ({"languages": {"de": "C1"}}, {"cand-anna", "cand-ben"}),
        ({"languages": {"de": "C2"}}, {"cand-ben"}),
        ({"years_experience": {"gte": 5}}, {"cand-anna", "cand-ben"}),
        ({"years_experience": {"lte": 1}}, {"cand-chloe"}),
        ({"skills": {"all": ["python", "Docker"]}}, {"cand-anna"}),
        ({"skills": {"any": ["flask", "triage"]}}, {"cand-ben", "cand-chloe"}),
        ({"salary": {"min": 46000, "max": 60000, "currency": "EUR"}}, {"cand-ben"}),
        ({"salary": {"currency": "USD"}}, set()),
        ({"languages": {"de": "C1"}, "location": {"city": "Munich"}}, {"cand-ben"}),
        # country + language level: one condition on the combined field (every point carries it here)
        ({"location": {"country": "de"}, "languages": {"en": "B1"}}, {"cand-anna", "cand-ben"}),
        ({"location": {"country": "DE"}, "languages": {"en": "C1", "de": "C1"}}, {"cand-anna"}),
        ({"location": {"country": "FR"}, "languages": {"de": "A1"}}, set()),
    ],
)
def test_filters(loaded, filters, expected):
    client, jobs, _ = loaded
    r = client.post(f"/v1/jobs/{jobs['job-py']}/matches", json={"filters": filters})
    assert r.status_code == 200, r.text
    assert set(ext_ids(r)) == expected


def test_offset_and_limit(loaded):
    client, jobs, _ = loaded
    full = ext_ids(client.post(f"/v1/jobs/{jobs['job-py']}/matches", json={"limit": 3}))
    assert ext_ids(client.post(f"/v1/jobs/{jobs['job-py']}/matches", json={"limit": 1, "offset": 1})) == full[1:2]


def test_ad_hoc_text_both_directions(loaded):
    client, _, _ = loaded
    r = client.post("/v1/matches", json={"text": "ICU nurse with critical care experience", "target": "candidates"})
    assert ext_ids(r)[0] == "cand-ben"
    r = client.post("/v1/matches", json={"text": "Python developer, FastAPI, PostgreSQL", "target": "jobs", "limit": 1})
    assert ext_ids(r) == ["job-py"]


def test_long_cv_text_is_accepted_and_matched(loaded):
    client, jobs, _ = loaded
    long_cv = "Nursing on intensive care wards, ventilated patients and medication rounds. " * 150
    r = client.post("/v1/candidates", json={"external_id": "long", "desired_title": "ICU nurse", "cv_text": long_cv})
    assert r.status_code == 201
    ranked = ext_ids(client.post(f"/v1/jobs/{jobs['job-nurse']}/matches", json={"limit": 2}))
    assert "long" in ranked


def test_embed_returns_unit_vectors_whose_dot_is_the_score(loaded, encoder):
    client, jobs, cands = loaded
    r = client.post("/v1/embed", json={"texts": ["python developer", "nurse"]})
    body = r.json()
    v = np.array(body["vectors"])
    assert body["dim"] == 384 and v.shape == (2, 384) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-4)
    ref = encoder.encode(["python developer"])[0]
    assert float(np.dot(v[0], ref)) == pytest.approx(1.0, abs=1e-4)


def test_a_match_page_counts_what_passes_the_filters_when_asked(client):
    job = client.post("/v1/jobs", json={"title": "Nurse", "description": "ICU nurse"}).json()
    for i, country in enumerate(["DE", "DE", "FR"]):
        client.post("/v1/candidates", json={"cv_text": f"Nurse number {i}", "location": {"country": country}})
    url = f"/v1/jobs/{job['id']}/matches"
    assert client.post(url, json={}).json()["total"] is None  # not asked: unknown
    counted = client.post(url, json={"count": True, "filters": {"location": {"country": "DE"}}}).json()
    assert counted["total"] == 2 and len(counted["matches"]) == 2
    adhoc = client.post("/v1/matches", json={"text": "nurse", "target": "candidates", "count": True}).json()
    assert adhoc["total"] == 3


def test_the_pool_found_without_common_terms_scores_with_all_of_them(make_client, tmp_path):
    """JOBMATCH_MATCH_POOL_MAX_SHARE reaches the matcher; with every candidate in the pool either way, the
    matches and their lexical scores are those of the whole query."""
    pages = []
    for i, overrides in enumerate(({}, {"match_pool_max_share": 0.01})):
        with make_client(data_dir=tmp_path / str(i), **overrides) as client:
            jobs = {j["external_id"]: client.post("/v1/jobs", json=j).json()["id"] for j in JOBS}
            client.post("/v1/candidates/bulk", json=CANDIDATES)
            assert client.app.state.services.matcher.pool_terms.max_share == overrides.get("match_pool_max_share")
            pages.append(client.post(f"/v1/jobs/{jobs['job-py']}/matches", json={"limit": 10}).json()["matches"])
    whole, rarest = pages
    assert [m["external_id"] for m in whole] == [m["external_id"] for m in rarest]
    assert [m["explanation"]["breakdown"]["lexical"] for m in whole] == [
        m["explanation"]["breakdown"]["lexical"] for m in rarest
    ]
