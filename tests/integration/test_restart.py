"""The embedded store survives a restart: write, close the app, open a new one on the same folder."""

from tests.fixtures.people import CANDIDATES, JOBS


def test_everything_is_there_after_a_restart(make_client):
    with make_client() as c:
        job_id = c.post("/v1/jobs", json=JOBS[0]).json()["id"]
        c.post("/v1/candidates/bulk", json=CANDIDATES)
        before = c.post(f"/v1/jobs/{job_id}/matches").json()
    with make_client() as c:
        assert c.get("/v1/candidates").json()["total"] == 3
        assert c.get(f"/v1/jobs/{job_id}").json()["title"] == JOBS[0]["title"]
        assert c.post(f"/v1/jobs/{job_id}/matches").json() == before
        # idempotency by external_id still holds after the restart
        assert c.post("/v1/candidates/bulk", json=CANDIDATES).json()["results"][0]["created"] is False
        assert c.get("/v1/candidates").json()["total"] == 3


def test_background_index_build_keeps_results_correct(make_client):
    """The index built in a child process on a copy takes over (as after an import); matches agree."""
    with make_client() as c:
        job_id = c.post("/v1/jobs", json=JOBS[1]).json()["id"]
        c.post("/v1/candidates/bulk", json=CANDIDATES)
        first = c.post(f"/v1/jobs/{job_id}/matches").json()
        store = c.app.state.services.store
        with store.bulk_load("candidates"):  # what an import does: one build when it ends
            pass
        store.wait_idle()
        assert c.post(f"/v1/jobs/{job_id}/matches").json() == first
        assert c.app.state.services.store.last_optimize_s  # the build did run
