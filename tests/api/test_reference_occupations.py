"""Reference occupations out of the box: the shipped ESCO set parses; a set loads in the background on
first start (and only then); records stored before it, or before a client's own occupation, are
re-normalised in the background; /ready shows both."""

import time
from pathlib import Path

from app.reference import ESCO
from app.reference.loader import occupation_doc
from app.training.data import load_occupations

ONTOLOGY = Path(__file__).resolve().parents[1] / "fixtures" / "ontology.csv"


def ready_when(client, done, timeout: float = 90.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get("/ready").json()
        if done(body):
            return body
        time.sleep(0.2)
    raise AssertionError(f"/ready never got there: {body}")


def settled(body) -> bool:
    return body["reference_occupations"]["status"] in ("done", "off") and not any(
        body["occupation_renormalization"]["pending"].values()
    )


def test_shipped_esco_set_reads_as_the_esco_csv():
    occs = load_occupations(ESCO)
    assert len(occs) == 3039 and len({o.uri for o in occs}) == 3039
    dev = next(o for o in occs if o.label == "software developer")
    doc = occupation_doc(dev)
    assert doc["external_id"].startswith("http://data.europa.eu/esco/occupation/") and doc["code"]
    assert "programmer" in [a.lower() for a in doc["alt_labels"]] and doc["description"] and doc["source"] == "esco"


def test_a_set_loads_in_the_background_once_and_older_records_follow(make_client):
    with make_client(reference_occupations="none") as client:
        nurse = client.post(
            "/v1/candidates",
            json={"external_id": "n", "desired_title": "ICU nurse", "cv_text": "Eight years in intensive care."},
        ).json()
        assert nurse["occupations"] == []
        assert client.get("/ready").json()["reference_occupations"]["status"] == "off"

    with make_client(reference_occupations=str(ONTOLOGY)) as client:
        assert client.get("/health").status_code == 200  # answering while the set loads
        body = ready_when(client, settled)
        ref = body["reference_occupations"]
        assert ref["status"] == "done" and ref["loaded"] == ref["total"] == 6 and ref["set"].startswith("ontology.csv@")
        assert body["occupation_renormalization"]["renormalized"] >= 1
        top = client.get(f"/v1/candidates/{nurse['id']}").json()["occupations"][0]
        assert top["label"] == "intensive care nurse"
        # filters on occupations see it too
        occ_id = top["id"]
        hits = client.post(
            "/v1/matches", json={"text": "nurse", "target": "candidates", "filters": {"occupation_ids": [occ_id]}}
        ).json()["matches"]
        assert [m["id"] for m in hits] == [nurse["id"]]

    with make_client(reference_occupations=str(ONTOLOGY)) as client:  # a restart does not load it again
        ref = client.get("/ready").json()["reference_occupations"]
        assert ref["status"] == "done" and ref["loaded"] == 6
        assert client.get("/v1/occupations").json()["total"] == 6


def test_a_clients_new_occupation_renormalises_older_records(make_client):
    with make_client(reference_occupations=str(ONTOLOGY)) as client:
        ready_when(client, settled)
        cand = client.post(
            "/v1/candidates",
            json={
                "desired_title": "Kubernetes platform engineer",
                "cv_text": "Runs Kubernetes clusters, Helm, Terraform.",
            },
        ).json()
        assert cand["occupations"] and cand["occupations"][0]["label"] != "platform engineer"
        occ = client.post(
            "/v1/occupations",
            json={"label": "platform engineer", "alt_labels": ["Kubernetes platform engineer", "SRE"]},
        ).json()
        ready_when(
            client,
            lambda b: (
                settled(b) and client.get(f"/v1/candidates/{cand['id']}").json()["occupations"][0]["id"] == occ["id"]
            ),
        )
        # and back when it is deleted
        assert client.delete(f"/v1/occupations/{occ['id']}").status_code == 204
        ready_when(
            client,
            lambda b: (
                settled(b)
                and occ["id"] not in [o["id"] for o in client.get(f"/v1/candidates/{cand['id']}").json()["occupations"]]
            ),
        )


def test_a_titles_occupations_are_reused_only_while_set_and_rules_stay(make_client):
    with make_client(reference_occupations=str(ONTOLOGY)) as client:
        ready_when(client, settled)

        def top(ext):
            doc = {"external_id": ext, "desired_title": "ICU nurse", "cv_text": "Ventilation, triage."}
            return client.post("/v1/candidates", json=doc).json()["occupations"][0]

        first = top("a")
        assert first["label"] == "intensive care nurse" and top("b") == first  # same title, same answer
        rule = client.post(
            "/v1/rules", json={"if_near": {"text": "ICU nurse"}, "exclude_near": {"occupation_id": first["id"]}}
        )
        assert rule.status_code == 201
        assert top("c")["id"] != first["id"]  # the rule applies to the next record with that title
        assert client.delete(f"/v1/rules/{rule.json()['id']}").status_code == 204
        assert top("d")["id"] == first["id"]
