"""/v1/imports through the real app: files of candidates stored in the background, with row errors."""

import csv
import io
import json

from tests.fixtures.cv_files import make_blank_pdf, make_docx, make_pdf, make_zip
from tests.fixtures.imports import upload, wait_done
from tests.fixtures.people import CANDIDATES


def ndjson(items) -> bytes:
    return "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in items).encode()


def test_ndjson_import_stores_valid_rows_and_reports_the_others(client):
    no_id = {k: v for k, v in CANDIDATES[1].items() if k != "external_id"}
    body = ndjson([CANDIDATES[0], "{not json", {"external_id": "x", "skills": []}, "", no_id, CANDIDATES[2]])
    r = upload(client, "people.ndjson", body)
    assert r.status_code == 202 and r.json()["status"] == "queued"
    assert r.headers["location"] == f"/v1/imports/{r.json()['id']}"
    state = wait_done(client, r.json()["id"])
    assert (state["total"], state["processed"], state["stored"], state["failed"]) == (5, 5, 3, 2)
    errors = client.get(f"/v1/imports/{state['id']}/errors").json()
    assert errors["total"] == 2
    assert [(e["row"], e["external_id"]) for e in errors["items"]] == [(2, None), (3, "x")]
    assert "not valid JSON" in errors["items"][0]["message"] and "desired_title" in errors["items"][1]["message"]
    names = sorted(c["name"] for c in client.get("/v1/candidates", params={"limit": 10}).json()["items"])
    assert names == ["Anna", "Ben", "Chloe"]


def test_importing_the_same_file_again_updates_instead_of_duplicating(client):
    body = ndjson(CANDIDATES)
    for _ in range(2):
        wait_done(client, upload(client, "people.jsonl", body).json()["id"])
    assert client.get("/v1/candidates").json()["total"] == len(CANDIDATES)


def test_csv_import_maps_the_documented_columns(client):
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            "external_id",
            "name",
            "desired_title",
            "skills",
            "city",
            "country",
            "lat",
            "lon",
            "remote",
            "languages",
            "years_experience",
            "salary_min",
            "salary_max",
            "salary_currency",
            "cv_text",
        ]
    )
    w.writerow(
        [
            "c1",
            "Dana",
            "ICU nurse",
            "triage; ventilation",
            "Munich",
            "DE",
            "48.1",
            "11.6",
            "yes",
            "de:C2;en:b2",
            "6",
            "45000",
            "52000",
            "EUR",
            "Six years on a surgical ICU.",
        ]
    )
    w.writerow(["c2", "Eve", "Welder", "", "", "", "", "", "maybe", "", "", "", "", "", ""])
    w.writerow(["c3", "Finn", "Baker", "", "", "", "", "", "", "", "ten", "", "", "", ""])
    state = wait_done(client, upload(client, "export.csv", out.getvalue().encode()).json()["id"])
    assert (state["stored"], state["failed"]) == (1, 2)
    errors = client.get(f"/v1/imports/{state['id']}/errors").json()["items"]
    assert [(e["row"], e["external_id"]) for e in errors] == [(3, "c2"), (4, "c3")]
    assert "remote" in errors[0]["message"] and "years_experience" in errors[1]["message"]
    dana = client.get("/v1/candidates").json()["items"][0]
    assert dana["skills"] == ["triage", "ventilation"] and dana["languages"] == {"de": "C2", "en": "B2"}
    assert dana["location"]["city"] == "Munich" and dana["remote"] is True
    assert dana["salary_expectation"] == {"min": 45000, "max": 52000, "currency": "EUR"}


def test_a_semicolon_csv_with_columns_of_its_own_keeps_them_as_metadata(client):
    """Excel where the decimal mark is a comma writes semicolons; HR exports carry columns of their own."""
    body = (
        "external_id;name;email;phone;languages;Recruiter;Source;desired_title\n"
        "c1;Dana;dana@example.com;+49 89 1234567;de:native;Jo;LinkedIn;Krankenpflegerin\n"
    ).encode("cp1252")
    state = wait_done(client, upload(client, "export.csv", body).json()["id"])
    assert (state["stored"], state["failed"]) == (1, 0), client.get(f"/v1/imports/{state['id']}/errors").json()
    dana = client.get("/v1/candidates", params={"external_id": "c1"}).json()["items"][0]
    assert dana["metadata"] == {"Recruiter": "Jo", "Source": "LinkedIn"}
    assert (dana["email"], dana["phone"], dana["languages"]) == ("dana@example.com", "+49 89 1234567", {"de": "C2"})


def test_a_csv_without_any_column_the_service_reads_is_refused_at_upload(client):
    r = upload(client, "export.csv", b"fullname,nickname\nDana,D\n")
    assert r.status_code == 422
    assert "desired_title" in r.json()["error"]["message"] and "metadata" in r.json()["error"]["message"]
    assert client.get("/v1/imports").json()["total"] == 0


def test_zip_of_cv_files(client):
    archive = make_zip(
        {
            "cvs/anna.pdf": make_pdf(["Anna Schmidt", "Registered nurse, intensive care unit, 6 years"]),
            "cvs/ben.docx": make_docx(["Ben Meyer", "Forklift driver in a warehouse"], [["forklift", "5 years"]]),
            "cvs/carl.txt": b"Carl, Python developer: Django, FastAPI",
            "cvs/scan.pdf": make_blank_pdf(),
            "cvs/photo.jpg": b"\xff\xd8\xff",
            "__MACOSX/cvs/._anna.pdf": b"junk",
        }
    )
    state = wait_done(client, upload(client, "cvs.zip", archive).json()["id"])
    assert (state["total"], state["stored"], state["failed"]) == (5, 3, 2)
    errors = client.get(f"/v1/imports/{state['id']}/errors").json()["items"]
    assert {e["external_id"]: e["message"] for e in errors}.keys() == {"cvs/scan.pdf", "cvs/photo.jpg"}
    assert any("no text found" in e["message"] for e in errors)
    found = client.post("/v1/matches", json={"text": "intensive care nurse", "target": "candidates"}).json()
    assert found["matches"][0]["external_id"] == "cvs/anna.pdf"
    ben = [c for c in client.get("/v1/candidates").json()["items"] if c["external_id"] == "cvs/ben.docx"][0]
    assert "Forklift driver" in ben["cv_text"] and "forklift | 5 years" in ben["cv_text"]


def test_bad_uploads_get_clear_errors(client):
    assert upload(client, "people.xlsx", b"PK..").status_code == 415
    r = upload(client, "cvs.zip", b"not a zip")
    assert r.status_code == 422 and "ZIP" in r.json()["error"]["message"]
    assert upload(client, "people.json", b'{"name": "x"}').status_code == 422
    assert upload(client, "data.bin", b"{}\n", format="ndjson").status_code == 202
    assert upload(client, "data.bin", b"{}\n", format="xml").status_code == 422
    r = client.post("/v1/imports", data={"format": "csv"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    assert client.get("/v1/imports/not-an-id").status_code == 404


def test_an_ended_import_is_removed_with_its_file_and_row_errors(client):
    """A failed import keeps its file to be looked at; DELETE removes it (it answered 409 before)."""
    done = wait_done(client, upload(client, "people.ndjson", ndjson(CANDIDATES)).json()["id"])
    runner = client.app.state.services.imports  # an import that failed (e.g. its store went away for good), as on disk
    job = runner.book.create(io.BytesIO(b'{"cv_text": "x"}\n'), "late.ndjson", "ndjson")
    runner._finish(job, "failed", "simulated failure")
    failed = client.get(f"/v1/imports/{job.id}").json()
    assert failed["status"] == "failed"
    folder = runner.book.root / failed["id"]
    assert any(folder.glob("source.*"))
    for state in (done, failed):
        assert client.delete(f"/v1/imports/{state['id']}").status_code == 204
        assert client.get(f"/v1/imports/{state['id']}").status_code == 404
    assert not folder.exists() and client.get("/v1/imports").json()["total"] == 0
    assert client.get("/v1/candidates").json()["total"] == len(CANDIDATES)  # what was stored stays


def test_a_large_import_has_its_own_body_limit(make_client):
    with make_client(max_body_bytes=2048, max_import_bytes=4096) as client:
        assert upload(client, "people.ndjson", ndjson(CANDIDATES)).status_code == 202  # > 2 KiB, < 4 KiB
        big = upload(client, "people.ndjson", ndjson(CANDIDATES * 8))
        assert big.status_code == 413 and "JOBMATCH_MAX_IMPORT_BYTES" in big.json()["error"]["message"]


def many(n: int) -> list[dict]:
    return [{**CANDIDATES[i % len(CANDIDATES)], "external_id": f"p{i}"} for i in range(n)]


def test_cancel_stops_a_queued_or_running_import_and_keeps_what_was_stored(make_client):
    with make_client(import_batch_size=1) as client:
        started = upload(client, "people.ndjson", ndjson(many(60))).json()
        r = client.delete(f"/v1/imports/{started['id']}")
        assert r.status_code == 200 and r.json()["status"] in ("cancelled", "running")
        state = wait_done(client, started["id"])
        assert state["status"] == "cancelled" and state["processed"] < 60
        assert client.get("/v1/candidates").json()["total"] == state["stored"]


def test_the_readmes_sample_file_imports_as_the_walk_through_says(client):
    from pathlib import Path

    sample = Path(__file__).resolve().parents[2] / "examples" / "people.ndjson"
    state = wait_done(client, upload(client, "people.ndjson", sample.read_bytes()).json()["id"])
    assert (state["stored"], state["failed"]) == (4, 1)
    jonas = client.get("/v1/candidates", params={"external_id": "C-101"}).json()["items"][0]
    assert jonas["languages"] == {"de": "C2", "en": "C1"} and jonas["extracted"]["skills"][:2] == ["Python", "FastAPI"]
    held = client.get("/v1/privacy", params={"external_id": "C-105"}).json()
    assert [e["row"] for e in held["import_errors"]] == [5]
