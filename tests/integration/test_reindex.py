"""A model change: the service never mixes two models' vectors, and reindexing brings everything back."""

import numpy as np

from app.domain import Kind
from tests.fixtures.occupations import OCCUPATIONS
from tests.fixtures.people import CANDIDATES, JOBS


class OtherModel:
    """The real encoder behind another model id: what a swapped model looks like to the store."""

    def __init__(self, encoder):
        self._enc = encoder
        self.name, self.version, self.dim = "other-model", "v2", encoder.dim

    def encode(self, texts):
        return self._enc.encode(texts)

    def encode_documents(self, docs):
        return self._enc.encode_documents(docs)


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
        state = c2.app.state
        assert state.occupations.reembed_stale() == 4
        assert state.rules.reembed_stale(lambda a: encoder.encode([a["text"]])[0]) == 1
        assert state.records.reembed_stale(Kind.JOB) == 1 and state.records.reembed_stale(Kind.CANDIDATE) == 3
        assert c2.get("/ready").json()["stale_vectors"] == {"jobs": 0, "candidates": 0, "occupations": 0}
        after = c2.post(f"/v1/jobs/{job_id}/matches").json()
        assert after["model"] == "other-model@v2"
        assert [m["id"] for m in after["matches"]] == [m["id"] for m in before]
        assert np.allclose([m["score"] for m in after["matches"]], [m["score"] for m in before], atol=1e-5)
        assert c2.get("/v1/candidates").json()["total"] == 3  # nothing lost, nothing doubled
