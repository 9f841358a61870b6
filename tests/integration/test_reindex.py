"""A model change: the service never mixes two models' vectors, and reindexing brings everything back."""

import time

import numpy as np

from app.domain import Kind
from tests.fixtures.occupations import OCCUPATIONS
from tests.fixtures.people import CANDIDATES, JOBS


class OtherModel:
    """The real encoder behind another model id: what a swapped model looks like to the store."""

    def __init__(self, encoder):
        self._enc = encoder
        self.name, self.version, self.model_id = "other-model", "v2", "other-model@v2"

    def __getattr__(self, name):  # everything else (encode, dim, head, gate, ...) is the real encoder's
        return getattr(self._enc, name)

    def describe(self):
        return {**self._enc.describe(), "id": self.model_id, "name": self.name, "version": self.version}


def test_stale_vectors_are_not_served_until_reindexed(make_client, encoder):
    with make_client() as c:
        c.post("/v1/occupations/bulk", json=OCCUPATIONS)
        job_id = c.post("/v1/jobs", json=JOBS[0]).json()["id"]
        c.post("/v1/candidates/bulk", json=CANDIDATES)
        c.post("/v1/rules", json={"if_near": {"text": "a"}, "exclude_near": {"text": "b"}})
        before = c.post(f"/v1/jobs/{job_id}/matches").json()["matches"]
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.settings import Settings

    settings = Settings(data_dir=c.app.state.settings.data_dir)
    with TestClient(create_app(settings, encoder=OtherModel(encoder))) as c2:
        ready = c2.get("/ready").json()
        assert ready["stale_vectors"] == {"jobs": 1, "candidates": 3, "occupations": 4}
        # the job itself is stored, but its candidates were embedded by the other model: none is ranked
        assert c2.post(f"/v1/jobs/{job_id}/matches").json()["matches"] == []
        state = c2.app.state.services
        assert state.occupations.reembed_stale() == 4
        assert state.rules.reembed_stale(lambda a: encoder.encode([a["text"]])[0]) == 1
        assert state.records.reembed_stale(Kind.JOB) == 1 and state.records.reembed_stale(Kind.CANDIDATE) == 3
        assert c2.get("/ready").json()["stale_vectors"] == {"jobs": 0, "candidates": 0, "occupations": 0}
        after = c2.post(f"/v1/jobs/{job_id}/matches").json()
        assert after["model"] == "other-model@v2"
        assert [m["id"] for m in after["matches"]] == [m["id"] for m in before]

        # same vectors, same cosines (the weighted score may move: occupations come from the model's own ranking)
        def cosines(ms):
            return [m["explanation"]["breakdown"]["semantic"]["score"] for m in ms]

        assert np.allclose(cosines(after["matches"]), cosines(before), atol=1e-4)
        assert c2.get("/v1/candidates").json()["total"] == 3  # nothing lost, nothing doubled


def test_records_of_the_layout_before_hybrid_search_are_migrated(make_client):
    """A record stored before sparse vectors and extracted fields existed is reported stale and, once
    re-indexed, found by its words and read for its criteria."""
    from app.store.base import StoredPoint

    with make_client() as c:
        job_id = c.post("/v1/jobs", json=JOBS[0]).json()["id"]
        cid = c.post("/v1/candidates", json=CANDIDATES[0]).json()["id"]
        records = c.app.state.services.records
        point = records.store.retrieve("candidates", [cid], with_vector=True)[0]
        old = {k: v for k, v in point.payload.items() if k not in ("layout", "extracted")}
        records.store.upsert("candidates", [StoredPoint(cid, old, point.vector)])  # no sparse vector either
        assert c.get("/ready").json()["stale_vectors"]["candidates"] == 1
        assert records.reembed_stale(Kind.CANDIDATE) == 1
        assert c.get("/ready").json()["stale_vectors"]["candidates"] == 0
        match = c.post(f"/v1/jobs/{job_id}/matches").json()["matches"][0]
        assert match["id"] == cid and match["explanation"]["breakdown"]["lexical"]["evidence"]["bm25_vs_best"] == 1.0


def test_records_stored_before_the_combined_field_are_given_it_from_their_payload(make_client, monkeypatch):
    """Records stored before the combined country x language field are not stale: the service adds the
    field in the background without encoding anything; until then a country + language filter keeps the
    two conditions apart, so no record is missed on the way."""
    from app.matching import records as records_module

    monkeypatch.setattr(records_module, "COMBINED_RECHECK_S", 0.0)
    filters = {"location": {"country": "DE"}, "languages": {"en": "B1"}}
    with make_client() as c:
        job_id = c.post("/v1/jobs", json=JOBS[0]).json()["id"]
        ids = [r["id"] for r in c.post("/v1/candidates/bulk", json=CANDIDATES).json()["results"]]
        services = c.app.state.services
        services.renormalizer.stop()  # add the field by hand below, not in the background thread
        records = services.records
        wanted = sorted(
            m["id"] for m in c.post(f"/v1/jobs/{job_id}/matches", json={"filters": filters}).json()["matches"]
        )
        assert len(wanted) == 2
        without_combined_field(records, ids)
        records._combined.clear()
        assert not records.combined_filters(Kind.CANDIDATE)
        ready = c.get("/ready").json()
        assert ready["filter_fields"]["pending"]["candidates"] == 3 and ready["stale_vectors"]["candidates"] == 0
        found = c.post(f"/v1/jobs/{job_id}/matches", json={"filters": filters}).json()["matches"]
        assert sorted(m["id"] for m in found) == wanted  # the two conditions, apart

        assert records.add_combined_fields(Kind.CANDIDATE) == 3 and records.add_combined_fields(Kind.CANDIDATE) == 0
        assert records.combined_filters(Kind.CANDIDATE)
        assert c.get("/ready").json()["filter_fields"]["pending"]["candidates"] == 0
        stored = records.store.retrieve("candidates", [wanted[0]])[0].payload
        assert "DE|en:B1" in stored["f_country_lang"] and stored["layout"] == "2"
        found = c.post(f"/v1/jobs/{job_id}/matches", json={"filters": filters}).json()["matches"]
        assert sorted(m["id"] for m in found) == wanted  # one combined condition


def without_combined_field(records, ids: list[str]) -> None:
    """Store these candidates again as the service wrote them before the combined field existed."""
    from app.store.base import StoredPoint

    for p in records.store.retrieve("candidates", ids, with_vector=True):
        old = {k: v for k, v in p.payload.items() if k != "f_country_lang"}
        sparse = records.sparse_of(Kind.CANDIDATE, p.payload["doc"])
        records.store.upsert("candidates", [StoredPoint(p.id, old, p.vector, sparse)])


def test_the_service_adds_the_combined_field_in_the_background(make_client):
    with make_client() as c:  # a store written before the combined field existed
        ids = [r["id"] for r in c.post("/v1/candidates/bulk", json=CANDIDATES).json()["results"]]
        c.app.state.services.renormalizer.stop()
        without_combined_field(c.app.state.services.records, ids)
    with make_client() as c:  # opened by this version
        deadline = time.monotonic() + 30
        while c.get("/ready").json()["filter_fields"]["pending"]["candidates"] and time.monotonic() < deadline:
            time.sleep(0.2)
        state = c.get("/ready").json()["filter_fields"]
        assert state["pending"]["candidates"] == 0 and state["updated"] == 3
