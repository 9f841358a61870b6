"""A person can be exported and erased everywhere the service keeps them: the record, import row
errors that name them, and uploaded files that hold their id."""

import json

from tests.fixtures.imports import upload as upload_file
from tests.fixtures.imports import wait_done

PERSON = "cand-0042"


def upload(client, name, body):
    r = upload_file(client, name, body)
    assert r.status_code == 202, r.text
    return wait_done(client, r.json()["id"])


def test_export_then_erase_a_person_everywhere(client):
    stored = client.post(
        "/v1/candidates", json={"external_id": PERSON, "name": "Dana Roe", "cv_text": "ICU nurse, six years."}
    ).json()
    client.post("/v1/candidates", json={"external_id": "someone-else", "cv_text": "Welder."})
    rejected = upload(
        client,
        "rows.ndjson",
        (
            json.dumps({"external_id": PERSON, "name": "no text"})
            + "\n"
            + json.dumps({"external_id": "x1", "cv_text": "Baker"})
            + "\n"
        ).encode(),
    )
    broken = upload(client, "people.json", ('[{"external_id": "' + PERSON + '", "cv_text": "Nurse"').encode())
    assert (rejected["failed"], broken["status"]) == (1, "failed")

    held = client.get("/v1/privacy", params={"external_id": PERSON}).json()
    assert held["records"]["candidates"]["id"] == stored["id"]
    assert held["records"]["candidates"]["document"]["name"] == "Dana Roe"
    assert [e["import_id"] for e in held["import_errors"]] == [rejected["id"]]
    assert [f["import_id"] for f in held["import_files"]] == [broken["id"]]

    erased = client.delete("/v1/privacy", params={"external_id": PERSON}).json()
    assert erased["records"] == [f"candidates/{stored['id']}"]
    assert (erased["import_errors"], erased["import_files"]) == (1, [broken["id"]])

    assert client.get(f"/v1/candidates/{stored['id']}").status_code == 404
    assert client.get(f"/v1/imports/{rejected['id']}/errors").json()["items"] == []
    assert "erasure" in client.get(f"/v1/imports/{broken['id']}").json()["message"]
    assert client.get("/v1/privacy", params={"external_id": PERSON}).json() == {
        "external_id": PERSON,
        "records": {},
        "import_errors": [],
        "import_files": [],
    }
    assert client.get("/v1/candidates", params={"external_id": "someone-else"}).json()["total"] == 1
    again = client.delete("/v1/privacy", params={"external_id": PERSON}).json()
    assert again["records"] == [] and again["import_files"] == []
