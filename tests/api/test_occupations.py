"""/v1/occupations: references, normalisation, found at once without retraining, and ingest tagging."""

from tests.fixtures.occupations import OCCUPATIONS
from tests.fixtures.people import CANDIDATES, JOBS


def load(client):
    r = client.post("/v1/occupations/bulk", json=OCCUPATIONS)
    assert r.status_code == 200 and r.json()["accepted"] == len(OCCUPATIONS)
    return {x["external_id"]: x["id"] for x in r.json()["results"]}


def test_crud_and_listing(client):
    r = client.post("/v1/occupations", json=OCCUPATIONS[0])
    assert r.status_code == 201
    oid = r.json()["id"]
    assert client.get(f"/v1/occupations/{oid}").json()["alt_labels"] == ["ICU nurse", "critical care nurse"]
    again = client.post("/v1/occupations", json={**OCCUPATIONS[0], "alt_labels": ["ICU nurse"]})
    assert again.status_code == 200 and again.json()["id"] == oid
    load(client)
    page = client.get("/v1/occupations", params={"limit": 10}).json()
    assert page["total"] == 4 and len(page["items"]) == 4
    assert client.delete(f"/v1/occupations/{oid}").status_code == 204
    assert client.get(f"/v1/occupations/{oid}").status_code == 404
    assert client.get("/v1/occupations").json()["total"] == 3
    # the deleted occupation's labels are gone from search too
    res = client.post("/v1/occupations/normalize", json={"texts": ["ICU nurse"], "limit": 3}).json()
    assert oid not in [m["id"] for m in res["results"][0]["matches"]]


def test_bulk_reports_invalid_items(client):
    r = client.post("/v1/occupations/bulk", json=[OCCUPATIONS[0], {"label": ""}, {"alt_labels": ["x"]}])
    assert (r.json()["accepted"], r.json()["rejected"]) == (1, 2)


def test_normalize_one_result_per_text_in_order(client):
    ids = load(client)
    texts = ["Senior Backend Engineer (m/f/d)", "HGV Driver - Nights", "Sous chef wanted"]
    r = client.post("/v1/occupations/normalize", json={"texts": texts, "limit": 2})
    body = r.json()
    assert r.status_code == 200 and [x["text"] for x in body["results"]] == texts
    tops = [x["matches"][0]["id"] for x in body["results"]]
    assert tops == [ids["occ-dev"], ids["occ-driver"], ids["occ-chef"]]
    assert all(len(x["matches"]) == 2 for x in body["results"])
    m = body["results"][0]["matches"]
    assert m[0]["score"] >= m[1]["score"] and m[0]["label"] == "software developer"


def test_a_made_up_occupation_is_found_by_the_very_next_request(client):
    load(client)
    text = "alpaca wool shearer for our highland farm"
    before = client.post("/v1/occupations/normalize", json={"texts": [text], "limit": 1}).json()
    new = client.post(
        "/v1/occupations",
        json={
            "label": "alpaca shearer",
            "alt_labels": ["llama and alpaca groomer"],
            "description": "Shears alpacas and llamas for their wool.",
        },
    ).json()
    after = client.post("/v1/occupations/normalize", json={"texts": [text], "limit": 1}).json()
    assert before["results"][0]["matches"][0]["id"] != new["id"]
    assert after["results"][0]["matches"][0]["id"] == new["id"]


def test_jobs_and_candidates_are_normalised_on_ingest_and_filterable(client):
    ids = load(client)
    job = client.post("/v1/jobs", json=JOBS[1]).json()
    assert job["occupations"][0]["id"] == ids["occ-nurse"] and len(job["occupations"]) == 3
    client.post("/v1/candidates/bulk", json=CANDIDATES)
    stored = client.get("/v1/candidates").json()["items"]
    assert {c["external_id"]: c["occupations"][0]["label"] for c in stored}["cand-ben"] == "intensive care nurse"
    r = client.post(f"/v1/jobs/{job['id']}/matches", json={"filters": {"occupation_ids": [ids["occ-dev"]]}})
    hits = {m["external_id"] for m in r.json()["matches"]}
    assert "cand-anna" in hits and "cand-ben" not in hits


def test_normalize_validation(client):
    assert client.post("/v1/occupations/normalize", json={"texts": []}).status_code == 422
    assert client.post("/v1/occupations/normalize", json={"texts": ["x"] * 257}).status_code == 422
    assert client.post("/v1/occupations/normalize", json={"texts": ["x"], "limit": 101}).status_code == 422
    r = client.post("/v1/occupations/normalize", json={"texts": ["anything"]})
    assert r.json()["results"][0] == {"text": "anything", "matches": [], "no_good_match": True, "rules_applied": []}


def test_normalisation_confidence_is_calibrated_and_reads_the_text(client):
    load(client)
    texts = ["software developer", "Senior Software Developer (m/f/d)", "weekend helper"]
    res = client.post("/v1/occupations/normalize", json={"texts": texts, "limit": 3}).json()["results"]
    confs = [[m["confidence"] for m in r["matches"]] for r in res]
    assert all(c is not None and 0 <= c <= 1 for row in confs for c in row)
    assert confs[0][0] > 0.5 and confs[0][0] > confs[0][1]  # a verbatim label: sure, and of that one only
    assert confs[1][0] > 0.5  # the same title in vacancy dress
    assert res[2]["no_good_match"] is True and confs[2][0] < confs[1][0]  # a vague text: "no good match"


def test_a_record_is_normalised_by_its_title_when_it_has_one(client):
    ids = load(client)
    driving = (
        "Drive the lorry on long-haul routes across Europe, load and unload freight, keep the "
        "tachograph log and plan rest stops. "
    ) * 6
    job = client.post("/v1/jobs", json={"title": "ICU nurse", "description": driving}).json()
    assert job["occupations"][0]["id"] == ids["occ-nurse"]  # the title names it, whatever the text says
    untitled = client.post("/v1/candidates", json={"cv_text": driving}).json()
    assert untitled["occupations"][0]["id"] == ids["occ-driver"]  # no title: the whole text
