"""/v1/candidates, including bulk upload as a JSON array and as NDJSON."""

import json

from tests.fixtures.people import CANDIDATES


def test_crud_roundtrip(client):
    r = client.post("/v1/candidates", json=CANDIDATES[0])
    assert r.status_code == 201
    cid = r.json()["id"]
    got = client.get(f"/v1/candidates/{cid}").json()
    assert got["name"] == "Anna" and got["languages"] == {"en": "C2", "de": "C1"}
    r = client.put(f"/v1/candidates/{cid}", json={**CANDIDATES[0], "name": "Anna B."})
    assert r.json()["name"] == "Anna B."
    assert client.delete(f"/v1/candidates/{cid}").status_code == 204
    assert client.get("/v1/candidates").json() == {"items": [], "total": 0, "limit": 20, "offset": 0}


def test_bulk_keeps_valid_items_and_reports_invalid_ones(client):
    items = [CANDIDATES[0], {"name": "no text at all"}, CANDIDATES[1], {"desired_title": 5}, CANDIDATES[2]]
    r = client.post("/v1/candidates/bulk", json=items)
    body = r.json()
    assert r.status_code == 200 and (body["accepted"], body["rejected"]) == (3, 2)
    assert [x["index"] for x in body["results"]] == [0, 1, 2, 3, 4]
    assert body["results"][1]["error"]["code"] == "validation_error"
    assert "desired_title" in json.dumps(body["results"][3]["error"])
    assert client.get("/v1/candidates").json()["total"] == 3


def test_bulk_is_idempotent_by_external_id(client):
    first = client.post("/v1/candidates/bulk", json=CANDIDATES).json()
    again = client.post("/v1/candidates/bulk", json=CANDIDATES).json()
    assert [x["id"] for x in first["results"]] == [x["id"] for x in again["results"]]
    assert [x["created"] for x in again["results"]] == [False, False, False]
    assert client.get("/v1/candidates").json()["total"] == 3


def test_bulk_ndjson_with_a_broken_line(client):
    lines = [json.dumps(CANDIDATES[0]), "{not json", json.dumps(CANDIDATES[1])]
    r = client.post("/v1/candidates/bulk", content="\n".join(lines), headers={"content-type": "application/x-ndjson"})
    body = r.json()
    assert (body["accepted"], body["rejected"]) == (2, 1)
    assert body["results"][1]["error"]["code"] == "malformed_json"


def test_duplicate_external_id_within_one_bulk_stores_one_record(client):
    r = client.post("/v1/candidates/bulk", json=[CANDIDATES[0], {**CANDIDATES[0], "name": "Anna 2"}]).json()
    assert r["results"][0]["id"] == r["results"][1]["id"]
    assert client.get("/v1/candidates").json()["items"][0]["name"] == "Anna 2"


def test_bulk_limit(make_client):
    with make_client(max_bulk_items=2) as c:
        r = c.post("/v1/candidates/bulk", json=CANDIDATES)
        assert r.status_code == 422 and "limit is 2" in r.json()["error"]["message"]
        assert c.get("/v1/candidates").json()["total"] == 0


def test_native_is_c2_and_contact_fields_are_kept(client):
    r = client.post(
        "/v1/candidates",
        json={
            "cv_text": "Kinderkrankenpflegerin",
            "languages": {"de": "Native", "en": "b2"},
            "email": "a.b@example.org",
            "phone": "+49 (0)89 123-456",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["languages"] == {"de": "C2", "en": "B2"}
    assert (r.json()["email"], r.json()["phone"]) == ("a.b@example.org", "+49 (0)89 123-456")
    bad = client.post("/v1/candidates", json={"cv_text": "x", "email": "not-an-address"})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "email"


def test_lists_sort_by_creation_or_last_change_either_way(client):
    ids = [client.post("/v1/candidates", json={"cv_text": f"Welder {i}"}).json()["id"] for i in range(3)]
    client.put(f"/v1/candidates/{ids[0]}", json={"cv_text": "Welder 0, now with TIG"})

    def listed(**params):
        return [c["id"] for c in client.get("/v1/candidates", params=params).json()["items"]]

    assert listed() == ids
    assert listed(order="desc") == ids[::-1]
    assert listed(sort="updated_at") == [ids[1], ids[2], ids[0]]
    assert listed(sort="updated_at", order="desc", limit=1) == [ids[0]]
    assert client.get("/v1/candidates", params={"sort": "name"}).status_code == 422
