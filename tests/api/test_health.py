def test_health_and_ready(client):
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready").json()
    assert ready["status"] == "ready" and ready["model"]["dim"] == 384
    assert ready["store"]["backend"] == "embedded" and set(ready["store"]["collections"]) == {
        "jobs",
        "candidates",
        "occupations",
        "rules",
    }


def test_openapi_lists_every_route(shared_client):
    paths = shared_client.get("/openapi.json").json()["paths"]
    for p in [
        "/v1/jobs",
        "/v1/jobs/{job_id}",
        "/v1/jobs/{job_id}/matches",
        "/v1/candidates/bulk",
        "/v1/rules",
        "/v1/occupations",
        "/v1/occupations/bulk",
        "/v1/occupations/normalize",
        "/v1/rules/{rule_id}",
        "/v1/candidates/{candidate_id}/matches",
        "/v1/matches",
        "/v1/embed",
        "/health",
        "/ready",
    ]:
        assert p in paths


def test_openapi_documents_the_real_error_shape(shared_client):
    spec = shared_client.get("/openapi.json").json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]  # FastAPI's {"detail": [...]} is not ours
    for path, ops in spec["paths"].items():
        if not path.startswith("/v1"):
            continue
        for op in ops.values():
            for status in ("400", "401", "404", "422"):
                ref = op["responses"][status]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorResponse"), (path, status)
    err = spec["components"]["schemas"]["ErrorResponse"]
    assert err["properties"]["error"]["$ref"].endswith("/ItemError")
