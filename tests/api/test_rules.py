"""/v1/rules: a wrong match is removed by a rule, comes back when the rule is deleted, and queries
that do not trigger the rule are unaffected."""

import pytest

from tests.fixtures.occupations import OCCUPATIONS
from tests.fixtures.people import CANDIDATES, JOBS

# an ICU job should not be offered Anna, the Python developer, however the vectors fall: anchors are
# compared with what a record says it is (its title), and this exclude anchor is Anna's own title
ANNA = CANDIDATES[0]["desired_title"]
RULE = {
    "if_near": {"text": "intensive care nurse", "threshold": 0.5},
    "exclude_near": {"text": ANNA, "threshold": 0.95},
    "note": "no devs for ICU",
}


@pytest.fixture
def world(client):
    jobs = {j["external_id"]: client.post("/v1/jobs", json=j).json()["id"] for j in JOBS}
    client.post("/v1/candidates/bulk", json=CANDIDATES)
    return client, jobs


def ranked(client, job_id, limit=3):
    body = client.post(f"/v1/jobs/{job_id}/matches", json={"limit": limit}).json()
    return [m["external_id"] for m in body["matches"]], body["rules_applied"]


def test_rule_removes_a_wrong_match_and_deleting_it_restores_it(world):
    client, jobs = world
    before, applied = ranked(client, jobs["job-nurse"])
    assert "cand-anna" in before and applied == []
    rule = client.post("/v1/rules", json=RULE)
    assert rule.status_code == 201 and rule.json()["if_near"]["threshold"] == 0.5
    during, applied = ranked(client, jobs["job-nurse"])
    assert during == [x for x in before if x != "cand-anna"] and during[0] == "cand-ben"
    anna = client.get("/v1/candidates").json()["items"]
    anna_id = next(c["id"] for c in anna if c["external_id"] == "cand-anna")
    assert applied == [{"rule_id": rule.json()["id"], "excluded": 1, "removed": [anna_id]}]
    # a query the rule does not fire for is untouched
    py_before = ranked(client, jobs["job-py"])
    assert "cand-anna" in py_before[0] and py_before[1] == []
    assert client.delete(f"/v1/rules/{rule.json()['id']}").status_code == 204
    assert ranked(client, jobs["job-nurse"])[0] == before


def test_page_is_refilled_after_exclusions(world):
    client, jobs = world
    extra = [
        {"external_id": f"nurse-{i}", "desired_title": "ICU nurse", "cv_text": "Intensive care nursing."}
        for i in range(3)
    ]
    client.post("/v1/candidates/bulk", json=extra)
    client.post("/v1/rules", json=RULE)
    got, _ = ranked(client, jobs["job-nurse"], limit=4)
    assert len(got) == 4 and "cand-anna" not in got


def test_rules_apply_to_ad_hoc_matches_and_normalisation(world):
    client, _ = world
    occ = {o["external_id"]: o["id"] for o in client.post("/v1/occupations/bulk", json=OCCUPATIONS).json()["results"]}
    client.post("/v1/rules", json=RULE)
    r = client.post("/v1/matches", json={"text": "intensive care nurse", "target": "candidates"}).json()
    assert "cand-anna" not in [m["external_id"] for m in r["matches"]] and r["rules_applied"]
    before = client.post("/v1/occupations/normalize", json={"texts": ["intensive care nurse"], "limit": 4}).json()
    assert occ["occ-dev"] in [m["id"] for m in before["results"][0]["matches"]]
    # an occupation is removed when any of its labels is near the exclude anchor ("programmer" here)
    client.post(
        "/v1/rules",
        json={
            "if_near": {"text": "intensive care nurse", "threshold": 0.5},
            "exclude_near": {"text": "programmer", "threshold": 0.95},
        },
    )
    n = client.post("/v1/occupations/normalize", json={"texts": ["intensive care nurse"], "limit": 4}).json()
    ids = [m["id"] for m in n["results"][0]["matches"]]
    assert occ["occ-dev"] not in ids and len(ids) == 3  # the other three occupations remain
    assert {"excluded": 1} in [{"excluded": a["excluded"]} for a in n["results"][0]["rules_applied"]]


def test_occupation_anchors(world):
    client, jobs = world
    occ = {o["external_id"]: o for o in client.post("/v1/occupations/bulk", json=OCCUPATIONS).json()["results"]}
    before = ranked(client, jobs["job-nurse"])[0]
    # exclude anchor: the software developer occupation; threshold just under its similarity to Anna
    dev = client.post("/v1/embed", json={"texts": ["software developer", ANNA]}).json()["vectors"]
    sim = sum(a * b for a, b in zip(*dev))
    rule = {
        "if_near": {"occupation_id": occ["occ-nurse"]["id"], "threshold": 0.5},
        "exclude_near": {"occupation_id": occ["occ-dev"]["id"], "threshold": round(sim - 0.01, 4)},
    }
    assert client.post("/v1/rules", json=rule).status_code == 201
    after, applied = ranked(client, jobs["job-nurse"])
    assert "cand-anna" in before and "cand-anna" not in after and applied[0]["excluded"] >= 1


def test_crud_and_bad_rules(client):
    r = client.post("/v1/rules", json={"if_near": {"text": "a"}, "exclude_near": {"text": "b"}})
    rid = r.json()["id"]
    assert r.json()["exclude_near"]["threshold"] == 0.4  # the settings default
    assert client.get(f"/v1/rules/{rid}").json()["id"] == rid
    assert client.get("/v1/rules").json()["total"] == 1
    for bad in [
        {"if_near": {"text": ""}, "exclude_near": {"text": "b"}},
        {"if_near": {}, "exclude_near": {"text": "b"}},
        {"if_near": {"text": "a", "occupation_id": "x"}, "exclude_near": {"text": "b"}},
        {"if_near": {"text": "a"}},
        {"if_near": {"text": "a", "threshold": 2}, "exclude_near": {"text": "b"}},
    ]:
        assert client.post("/v1/rules", json=bad).status_code == 422, bad
    missing = {"if_near": {"occupation_id": "00000000-0000-0000-0000-000000000009"}, "exclude_near": {"text": "b"}}
    assert client.post("/v1/rules", json=missing).status_code == 404
    assert client.delete(f"/v1/rules/{rid}").status_code == 204
    assert client.get(f"/v1/rules/{rid}").status_code == 404


NEAR_MISSES = [  # (job title, exclude anchor, CVs that must go, CVs that must stay), with default thresholds
    (
        "Python Backend Developer",
        "Java Spring developer",
        [
            {
                "external_id": "java",
                "desired_title": "Java Backend Engineer",
                "cv_text": "Seven years of Java and Spring Boot microservices, Hibernate, Maven, Kafka.",
            }
        ],
        [
            {
                "external_id": "py",
                "desired_title": "Python Developer",
                "cv_text": "Python backend services with FastAPI and Django, PostgreSQL, Docker.",
            }
        ],
    ),
    (
        "Truck Driver",
        "bus driver",
        [
            {
                "external_id": "bus",
                "desired_title": "Bus Driver",
                "cv_text": "City bus routes, passenger service, 8 years.",
            }
        ],
        [
            {"external_id": f"truck{i}", "desired_title": t, "cv_text": "Long-haul freight, HGV licence, tachograph."}
            for i, t in enumerate(["Truck Driver", "HGV Truck Driver", "Senior Truck Driver"])
        ],
    ),
    (
        "ICU Nurse",
        "nurse assistant",
        [
            {
                "external_id": "assistant",
                "desired_title": "Nursing Assistant",
                "cv_text": "Helped patients wash and eat, took vital signs, supported registered nurses.",
            }
        ],
        [
            {
                "external_id": f"icu{i}",
                "desired_title": t,
                "cv_text": "Critical care: ventilated patients, drips, monitors.",
            }
            for i, t in enumerate(["ICU Nurse", "Intensive Care Nurse", "Critical Care Nurse"])
        ],
    ),
]


@pytest.mark.parametrize("title,exclude,gone,stay", NEAR_MISSES)
def test_a_rule_removes_the_named_near_miss_and_keeps_the_fitting_records(client, title, exclude, gone, stay):
    """Anchors are compared with titles, and a record goes only when it is nearer the exclude anchor than
    the if anchor: the issue's three examples, with the default thresholds."""
    job = client.post("/v1/jobs", json={"title": title, "description": f"We hire a {title}."}).json()["id"]
    client.post("/v1/candidates/bulk", json=gone + stay)
    rule = client.post("/v1/rules", json={"if_near": {"text": title}, "exclude_near": {"text": exclude}}).json()
    body = client.post(f"/v1/jobs/{job}/matches", json={"limit": 10}).json()
    kept = {m["external_id"] for m in body["matches"]}
    assert kept == {c["external_id"] for c in stay}
    ids = {c["id"]: c["external_id"] for c in client.get("/v1/candidates?limit=100").json()["items"]}
    assert body["rules_applied"][0]["rule_id"] == rule["id"]
    assert {ids[i] for i in body["rules_applied"][0]["removed"]} == {c["external_id"] for c in gone}
