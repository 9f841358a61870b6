"""The same API flow on the Qdrant-server backend (qdrant-client in-memory as the server's stand-in)
gives the same matches as the embedded engine."""

from tests.fixtures.people import CANDIDATES, JOBS


def run_flow(client):
    ids = {j["external_id"]: client.post("/v1/jobs", json=j).json()["id"] for j in JOBS}
    client.post("/v1/candidates/bulk", json=CANDIDATES)
    out = {}
    for ext, jid in ids.items():
        for flt in [None, {"languages": {"de": "C1"}}, {"location": {"lat": 52.5, "lon": 13.4, "radius_km": 700}}]:
            body = {"filters": flt} if flt else {}
            ms = client.post(f"/v1/jobs/{jid}/matches", json=body).json()["matches"]
            out[(ext, str(flt))] = [(m["external_id"], round(m["score"], 4)) for m in ms]
    return out


def test_backends_agree_through_the_api(make_client, tmp_path):
    with make_client() as embedded:
        a = run_flow(embedded)
    with make_client(qdrant_url=":memory:") as server:
        assert server.get("/ready").json()["store"]["backend"] == "server"
        b = run_flow(server)
    assert a == b
    assert any(len(v) == 3 for v in a.values()) and any(len(v) < 3 for v in a.values())
