"""A record can never be poisoned: metadata the store could not read back is refused at the door, and a
record written before that check (unreadable by the store) can still be deleted and never breaks its
neighbours' reads, lists or matches."""

import uuid

import pytest
import qdrant_edge as qe

from app.errors import InvalidInput
from app.store.base import StoredPoint
from tests.api.test_errors import assert_error
from tests.fixtures.people import CANDIDATES, JOBS


def nested(depth: int):
    value: object = 1
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    "metadata",
    [
        nested(17),
        nested(130),
        nested(300),
        {"n": 2**64},
        {"n": -(2**63) - 1},
        {"list": [[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]},
        {"big": "x" * 70_000},
    ],
)
@pytest.mark.parametrize("path,doc", [("/v1/jobs", JOBS[0]), ("/v1/candidates", CANDIDATES[0])])
def test_metadata_the_store_cannot_read_back_is_refused(client, path, doc, metadata):
    assert_error(client.post(path, json={**doc, "metadata": metadata}), 422, "validation_error")
    bulk = client.post(f"{path}/bulk", json=[{**doc, "metadata": metadata}, doc]).json()
    assert (bulk["accepted"], bulk["rejected"]) == (1, 1)
    assert client.get(path).json()["total"] == 1


def test_metadata_within_bounds_round_trips_exactly(client):
    metadata = {"deep": nested(15), "max": 2**63 - 1, "min": -(2**63), "f": 0.1, "s": "é", "l": [1, None, True]}
    created = client.post("/v1/jobs", json={**JOBS[0], "metadata": metadata}).json()
    assert client.get(f"/v1/jobs/{created['id']}").json()["metadata"] == metadata


def test_the_store_refuses_an_unreadable_payload_from_any_path(client):
    store = client.app.state.services.store
    with pytest.raises(InvalidInput):
        store.upsert("jobs", [StoredPoint(str(uuid.uuid4()), {"doc": {"metadata": nested(200)}}, [0.0] * 384)])


def test_an_unreadable_record_can_be_deleted_and_spares_its_neighbours(client):
    """Written by an older version straight into the shard: the API must still list, match and delete."""
    ids = [client.post("/v1/candidates", json=c).json()["id"] for c in CANDIDATES]
    job = client.post("/v1/jobs", json=JOBS[0]).json()["id"]
    records = client.app.state.services.records
    good = records.store.retrieve("candidates", [ids[0]], with_vector=True)[0]
    bad_id = str(uuid.uuid4())
    payload = {**good.payload, "doc": {**good.payload["doc"], "metadata": nested(130)}, "external_id": "poisoned"}
    records.store._shard("candidates").update(
        qe.UpdateOperation.upsert_points([qe.Point(bad_id, good.vector, payload)])
    )

    assert_error(client.get(f"/v1/candidates/{bad_id}"), 409, "unreadable_record")
    page = client.get("/v1/candidates?limit=100")
    assert page.status_code == 200 and {c["id"] for c in page.json()["items"]} == set(ids)
    matches = client.post(f"/v1/jobs/{job}/matches", json={"limit": 10})
    assert matches.status_code == 200 and {m["id"] for m in matches.json()["matches"]} == set(ids)
    assert client.post(f"/v1/candidates/{bad_id}/matches", json={}).status_code == 409

    assert client.delete(f"/v1/candidates/{bad_id}").status_code == 204
    assert_error(client.get(f"/v1/candidates/{bad_id}"), 404, "not_found")
    assert client.get("/v1/candidates").json()["total"] == len(ids)


def test_an_unreadable_record_can_be_overwritten(client):
    cid = client.post("/v1/candidates", json=CANDIDATES[0]).json()["id"]
    store = client.app.state.services.store
    good = store.retrieve("candidates", [cid], with_vector=True)[0]
    payload = {**good.payload, "doc": {**good.payload["doc"], "metadata": nested(130)}}
    store._shard("candidates").update(qe.UpdateOperation.upsert_points([qe.Point(cid, good.vector, payload)]))
    r = client.put(f"/v1/candidates/{cid}", json=CANDIDATES[0])
    assert r.status_code == 200
    assert client.get(f"/v1/candidates/{cid}").json()["name"] == CANDIDATES[0]["name"]


@pytest.mark.parametrize(
    "path,body",
    [
        ("/v1/candidates/bulk", '[{"cv_text": "x", "metadata": ' + '{"a":' * 10000 + "1" + "}" * 10000 + "}]"),
        ("/v1/jobs/bulk", '[{"title": "x", "metadata": {"n": ' + "9" * 5000 + "}}]"),
        ("/v1/jobs", '{"title": "x", "metadata": ' + '{"a":' * 10000 + "1" + "}" * 10000 + "}"),
        ("/v1/jobs", '{"title": "x", "metadata": {"n": ' + "9" * 5000 + "}}"),
    ],
)
def test_unreadable_bodies_are_malformed_json_not_server_errors(client, path, body):
    r = client.post(path, content=body, headers={"content-type": "application/json"})
    assert_error(r, 400, "malformed_json")


def test_an_ndjson_line_with_a_huge_integer_is_a_row_error(client):
    import json

    lines = [json.dumps(CANDIDATES[0]), '{"cv_text": "x", "years_experience": ' + "9" * 5000 + "}"]
    r = client.post("/v1/candidates/bulk", content="\n".join(lines), headers={"content-type": "application/x-ndjson"})
    assert r.status_code == 200 and (r.json()["accepted"], r.json()["rejected"]) == (1, 1)


@pytest.mark.parametrize("ext", ["a\x00b", "a\nb", "abc\u202e", "\u2066x", "tab\there", " lead"])
def test_ids_with_control_or_bidi_characters_are_refused(client, ext):
    assert_error(client.post("/v1/candidates", json={"external_id": ext, "cv_text": "x"}), 422, "validation_error")


def test_ordinary_unicode_ids_are_fine(client):
    assert client.post("/v1/candidates", json={"external_id": "José Müller #12 (ö)", "cv_text": "x"}).status_code == 201
