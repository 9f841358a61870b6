"""/v1/jobs through the real app: real model, real embedded store."""

from tests.fixtures.people import JOBS


def test_create_get_list_update_delete(client, encoder):
    r = client.post("/v1/jobs", json=JOBS[0])
    assert r.status_code == 201
    job = r.json()
    assert job["title"] == JOBS[0]["title"] and job["model"] == f"{encoder.name}@{encoder.version}"
    assert client.get(f"/v1/jobs/{job['id']}").json()["skills"] == JOBS[0]["skills"]

    r = client.post("/v1/jobs", json=JOBS[1])
    page = client.get("/v1/jobs", params={"limit": 1, "offset": 1}).json()
    assert page["total"] == 2 and [j["external_id"] for j in page["items"]] == ["job-nurse"]

    changed = {**JOBS[0], "title": "Staff Python Engineer"}
    r = client.put(f"/v1/jobs/{job['id']}", json=changed)
    assert r.status_code == 200 and r.json()["title"] == "Staff Python Engineer"
    assert r.json()["created_at"] == job["created_at"]

    assert client.delete(f"/v1/jobs/{job['id']}").status_code == 204
    assert client.get(f"/v1/jobs/{job['id']}").status_code == 404
    assert client.delete(f"/v1/jobs/{job['id']}").status_code == 404
    assert client.get("/v1/jobs").json()["total"] == 1


def test_posting_the_same_external_id_updates(client):
    first = client.post("/v1/jobs", json=JOBS[0]).json()
    r = client.post("/v1/jobs", json={**JOBS[0], "title": "Python Developer (updated)"})
    assert r.status_code == 200 and r.json()["id"] == first["id"]
    assert client.get("/v1/jobs").json()["total"] == 1


def test_put_with_an_external_id_of_another_job_conflicts(client):
    a = client.post("/v1/jobs", json=JOBS[0]).json()
    client.post("/v1/jobs", json=JOBS[1])
    r = client.put(f"/v1/jobs/{a['id']}", json={**JOBS[0], "external_id": "job-nurse"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"


def test_put_unknown_id_is_404(client):
    r = client.put("/v1/jobs/00000000-0000-0000-0000-000000000001", json=JOBS[0])
    assert r.status_code == 404 and "No job" in r.json()["error"]["message"]


def test_bulk_jobs(client):
    r = client.post("/v1/jobs/bulk", json=[JOBS[0], {"title": ""}, JOBS[1]])
    body = r.json()
    assert r.status_code == 200 and body["accepted"] == 2 and body["rejected"] == 1
    assert body["results"][1]["error"]["details"][0]["field"] == "title"
