"""A frontend keeps its own ids: look up, delete and match a job or candidate by external_id."""

import pytest


@pytest.mark.parametrize(
    "kind, doc, other, other_doc",
    [
        (
            "jobs",
            {"external_id": "req/2026-17", "title": "ICU nurse", "description": "Intensive care nursing."},
            "candidates",
            {"external_id": "cand 42", "cv_text": "Registered nurse, eight years in intensive care."},
        ),
        (
            "candidates",
            {"external_id": "cand/ä-7", "cv_text": "Welder, MIG and TIG, ten years."},
            "jobs",
            {"external_id": "job-9", "title": "Welder", "description": "MIG and TIG welding of steel frames."},
        ),
    ],
)
def test_lookup_match_and_delete_by_external_id(client, kind, doc, other, other_doc):
    stored = client.post(f"/v1/{kind}", json=doc).json()
    client.post(f"/v1/{other}", json=other_doc)
    page = client.get(f"/v1/{kind}", params={"external_id": doc["external_id"]}).json()
    assert [i["id"] for i in page["items"]] == [stored["id"]] and page["total"] == 1
    assert client.get(f"/v1/{kind}", params={"external_id": "nobody"}).json()["items"] == []

    matches = client.post(f"/v1/{kind}/matches", params={"external_id": doc["external_id"]}, json={"limit": 5})
    assert matches.status_code == 200
    by_id = client.post(f"/v1/{kind}/{stored['id']}/matches", json={"limit": 5}).json()
    assert [m["id"] for m in matches.json()["matches"]] == [m["id"] for m in by_id["matches"]]
    assert by_id["matches"], "the other side is stored: the comparison must not be vacuous"

    assert client.delete(f"/v1/{kind}", params={"external_id": doc["external_id"]}).status_code == 204
    assert client.get(f"/v1/{kind}/{stored['id']}").status_code == 404
    gone = client.delete(f"/v1/{kind}", params={"external_id": doc["external_id"]})
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
    assert client.post(f"/v1/{kind}/matches", params={"external_id": doc["external_id"]}).status_code == 404


def test_delete_many_by_ids_and_external_ids(client):
    from tests.fixtures.people import CANDIDATES

    made = client.post("/v1/candidates/bulk", json=CANDIDATES).json()["results"]
    first, second = made[0]["id"], made[1]
    r = client.post(
        "/v1/candidates/delete",
        json={
            "ids": [first, "00000000-0000-0000-0000-000000000000", "not-a-uuid"],
            "external_ids": [second["external_id"], "nobody"],
        },
    )
    assert r.status_code == 200
    body = r.json()
    assert [i["deleted"] for i in body["results"]] == [True, False, False, True, False]
    assert (body["deleted"], body["not_found"]) == (2, 3)
    assert client.get(f"/v1/candidates/{first}").status_code == 404
    assert client.get(f"/v1/candidates/{second['id']}").status_code == 404
    assert client.get("/v1/candidates").json()["total"] == len(CANDIDATES) - 2
    too_many = client.post("/v1/candidates/delete", json={"ids": ["x"] * 1001})
    assert too_many.status_code == 422
