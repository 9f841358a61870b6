"""Tenants: an API key `tenant:key` belongs to that tenant; a key without a prefix to the operator's own
tenant `default`. Tenant A can never read, match, change, delete or count tenant B's records, rules,
imports or occupations through any route; the shipped reference occupations are shared by all."""

import time

import pytest

from tests.api.test_errors import assert_error
from tests.fixtures.people import CANDIDATES, JOBS

KEYS = "acme:key-acme, globex:key-globex, key-ops"
A = {"Authorization": "Bearer key-acme"}
B = {"Authorization": "Bearer key-globex"}
OPS = {"Authorization": "Bearer key-ops"}


@pytest.fixture
def two(make_client):
    """acme and globex each hold a job and the same candidates, under the same external_ids."""
    with make_client(api_keys=KEYS) as c:
        ids = {}
        for name, h in (("a", A), ("b", B)):
            ids[f"job_{name}"] = c.post("/v1/jobs", json=JOBS[0], headers=h).json()["id"]
            bulk = c.post("/v1/candidates/bulk", json=CANDIDATES, headers=h).json()
            assert bulk["accepted"] == len(CANDIDATES) and all(r["created"] for r in bulk["results"])
            ids[f"cands_{name}"] = [r["id"] for r in bulk["results"]]
        yield c, ids


def test_same_external_id_is_a_different_record_per_tenant(two):
    c, ids = two
    assert set(ids["cands_a"]).isdisjoint(ids["cands_b"])
    ext = CANDIDATES[0]["external_id"]
    again = c.post("/v1/candidates", json={**CANDIDATES[0], "name": "changed by B"}, headers=B)
    assert again.status_code == 200 and again.json()["id"] == ids["cands_b"][0]  # B's own, updated
    assert c.get(f"/v1/candidates/{ids['cands_a'][0]}", headers=A).json()["name"] == CANDIDATES[0]["name"]
    assert c.get("/v1/candidates", params={"external_id": ext}, headers=A).json()["items"][0]["id"] == ids["cands_a"][0]


def test_no_read_change_or_delete_of_another_tenants_record(two):
    c, ids = two
    job_a, cand_a = ids["job_a"], ids["cands_a"][0]
    assert_error(c.get(f"/v1/jobs/{job_a}", headers=B), 404, "not_found")
    assert_error(c.get(f"/v1/candidates/{cand_a}", headers=B), 404, "not_found")
    assert_error(c.put(f"/v1/candidates/{cand_a}", json=CANDIDATES[1], headers=B), 404, "not_found")
    assert_error(c.delete(f"/v1/candidates/{cand_a}", headers=B), 404, "not_found")
    many = c.post("/v1/candidates/delete", json={"ids": [cand_a]}, headers=B).json()
    assert many["deleted"] == 0 and many["not_found"] == 1
    assert_error(c.post(f"/v1/jobs/{job_a}/matches", json={}, headers=B), 404, "not_found")
    assert_error(c.post(f"/v1/candidates/{cand_a}/matches", json={}, headers=B), 404, "not_found")
    # all of it still there for its owner
    assert c.get(f"/v1/candidates/{cand_a}", headers=A).json()["name"] == CANDIDATES[0]["name"]
    assert c.get(f"/v1/jobs/{job_a}", headers=A).status_code == 200


def test_lists_counts_and_external_id_routes_see_one_tenant(two):
    c, ids = two
    page = c.get("/v1/candidates", params={"limit": 100}, headers=B).json()
    assert page["total"] == len(CANDIDATES) and {r["id"] for r in page["items"]} == set(ids["cands_b"])
    assert c.get("/v1/jobs", headers=B).json()["total"] == 1
    ext = CANDIDATES[0]["external_id"]
    assert c.delete("/v1/candidates", params={"external_id": ext}, headers=B).status_code == 204
    assert c.get(f"/v1/candidates/{ids['cands_a'][0]}", headers=A).status_code == 200  # A's twin stays
    assert c.get("/v1/candidates", headers=A).json()["total"] == len(CANDIDATES)
    assert c.get("/v1/candidates", headers=OPS).json()["total"] == 0  # the operator's tenant holds nothing
    m = c.post("/v1/jobs/matches", params={"external_id": JOBS[0]["external_id"]}, json={"count": True}, headers=B)
    assert m.status_code == 200 and m.json()["total"] == len(CANDIDATES) - 1


def test_matches_never_reach_another_tenant(two):
    c, ids = two
    for h, own, job in ((A, ids["cands_a"], ids["job_a"]), (B, ids["cands_b"], ids["job_b"])):
        r = c.post(f"/v1/jobs/{job}/matches", json={"limit": 100, "count": True}, headers=h).json()
        assert {m["id"] for m in r["matches"]} <= set(own) and r["total"] == len(own)
        adhoc = c.post(
            "/v1/matches", json={"text": "Python developer", "target": "candidates", "limit": 100}, headers=h
        ).json()
        assert adhoc["matches"] and {m["id"] for m in adhoc["matches"]} <= set(own)
        jobs = c.post(f"/v1/candidates/{own[0]}/matches", json={"limit": 100}, headers=h).json()["matches"]
        assert [m["id"] for m in jobs] == [job]


def test_rules_belong_to_their_tenant(two):
    c, ids = two
    rule = c.post(
        "/v1/rules",
        json={"if_near": {"text": JOBS[0]["title"]}, "exclude_near": {"text": "Backend Engineer"}},
        headers=A,
    ).json()
    assert c.get("/v1/rules", headers=B).json()["total"] == 0
    assert_error(c.get(f"/v1/rules/{rule['id']}", headers=B), 404, "not_found")
    assert_error(c.delete(f"/v1/rules/{rule['id']}", headers=B), 404, "not_found")
    fired_a = c.post(f"/v1/jobs/{ids['job_a']}/matches", json={}, headers=A).json()["rules_applied"]
    fired_b = c.post(f"/v1/jobs/{ids['job_b']}/matches", json={}, headers=B).json()["rules_applied"]
    assert [r["rule_id"] for r in fired_a] == [rule["id"]] and fired_b == []


def test_imports_belong_to_their_tenant(two):
    c, ids = two
    rows = b'{"external_id": "imp-1", "desired_title": "Welder", "cv_text": "MIG welding"}\n{"broken\n'
    job = c.post("/v1/imports", files={"file": ("people.ndjson", rows)}, headers=A).json()
    deadline = time.monotonic() + 60
    while c.get(f"/v1/imports/{job['id']}", headers=A).json()["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert c.get("/v1/imports", headers=B).json()["total"] == 0
    for path in (f"/v1/imports/{job['id']}", f"/v1/imports/{job['id']}/errors"):
        assert_error(c.get(path, headers=B), 404, "not_found")
    assert_error(c.delete(f"/v1/imports/{job['id']}", headers=B), 404, "not_found")
    assert c.get("/v1/candidates", params={"external_id": "imp-1"}, headers=A).json()["total"] == 1
    assert c.get("/v1/candidates", params={"external_id": "imp-1"}, headers=B).json()["total"] == 0
    assert c.get(f"/v1/imports/{job['id']}/errors", headers=A).json()["total"] == 1


def test_privacy_export_and_erasure_stay_in_the_tenant(two):
    c, ids = two
    ext = CANDIDATES[0]["external_id"]
    held = c.get("/v1/privacy", params={"external_id": ext}, headers=B).json()
    assert held["records"]["candidates"]["id"] == ids["cands_b"][0]
    assert c.delete("/v1/privacy", params={"external_id": ext}, headers=B).status_code == 200
    assert c.get(f"/v1/candidates/{ids['cands_a'][0]}", headers=A).status_code == 200
    assert c.get("/v1/privacy", params={"external_id": ext}, headers=A).json()["records"]["candidates"]


def test_occupations_own_and_shared(make_client):
    with make_client(api_keys=KEYS) as c:
        shared = c.post(
            "/v1/occupations", json={"label": "software developer", "alt_labels": ["programmer"]}, headers=OPS
        ).json()
        own = c.post("/v1/occupations", json={"label": "platform engineer", "alt_labels": ["SRE"]}, headers=A).json()
        listed_a = {o["id"] for o in c.get("/v1/occupations", headers=A).json()["items"]}
        listed_b = {o["id"] for o in c.get("/v1/occupations", headers=B).json()["items"]}
        assert listed_a == {shared["id"], own["id"]} and listed_b == {shared["id"]}
        assert_error(c.get(f"/v1/occupations/{own['id']}", headers=B), 404, "not_found")
        assert_error(c.delete(f"/v1/occupations/{own['id']}", headers=B), 404, "not_found")
        assert_error(c.delete(f"/v1/occupations/{shared['id']}", headers=A), 404, "not_found")  # read-only to tenants
        norm_b = c.post("/v1/occupations/normalize", json={"texts": ["SRE"], "limit": 5}, headers=B).json()
        assert own["id"] not in [m["id"] for m in norm_b["results"][0]["matches"]]
        norm_a = c.post("/v1/occupations/normalize", json={"texts": ["SRE"], "limit": 5}, headers=A).json()
        assert norm_a["results"][0]["matches"][0]["id"] == own["id"]
        # a record is normalised against its tenant's occupations and the shared ones only
        cand_b = c.post("/v1/candidates", json={"desired_title": "SRE"}, headers=B).json()
        assert own["id"] not in [o["id"] for o in cand_b["occupations"]]


def test_operator_views_need_the_operators_key(two):
    c, _ = two
    assert_error(c.get("/metrics", headers=B), 403, "forbidden")
    assert c.get("/metrics", headers=OPS).status_code == 200
    assert c.get("/ready", headers=B).json() == {"status": "ready"}
    assert "store" in c.get("/ready", headers=OPS).json()


@pytest.mark.parametrize("bad", ["Acme:k", "a b:k", ":k", "acme:"])
def test_malformed_tenant_keys_are_refused_at_start(bad):
    from pydantic import ValidationError

    from app.settings import Settings

    with pytest.raises(ValidationError, match="JOBMATCH_API_KEYS"):
        Settings(api_keys=bad)


def test_records_stored_before_tenants_are_the_operators(make_client, tmp_path):
    from app.matching.payload import INDEXES
    from app.store.base import StoredPoint
    from app.store.edge import EdgeStore

    with make_client() as c:  # no keys: everything is the operator's
        cand = c.post("/v1/candidates", json=CANDIDATES[0]).json()
    store = EdgeStore(tmp_path / "data")  # as an older version wrote it: no tenant in the payload
    store.ensure_collection("candidates", 384, INDEXES, sparse=True)
    point = store.retrieve("candidates", [cand["id"]], with_vector=True)[0]
    store.upsert(
        "candidates", [StoredPoint(point.id, {k: v for k, v in point.payload.items() if k != "tenant"}, point.vector)]
    )
    assert "tenant" not in store.retrieve("candidates", [cand["id"]])[0].payload
    store.close()
    with make_client(api_keys=KEYS) as c:
        assert c.get(f"/v1/candidates/{cand['id']}", headers=OPS).status_code == 200
        assert_error(c.get(f"/v1/candidates/{cand['id']}", headers=A), 404, "not_found")
        assert c.get("/v1/candidates", headers=OPS).json()["total"] == 1
