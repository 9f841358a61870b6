"""A browser frontend on a configured origin can call the API; other origins get no CORS headers."""

ORIGIN = "https://hr.example.com"


def test_a_configured_origin_passes_the_preflight_without_a_key(make_client):
    with make_client(cors_origins=f"{ORIGIN}, https://other.example", api_keys="k1") as c:
        pre = c.options(
            "/v1/jobs",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] == ORIGIN
        assert "POST" in pre.headers["access-control-allow-methods"]
        r = c.get("/v1/jobs", headers={"Origin": ORIGIN, "Authorization": "Bearer k1"})
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == ORIGIN
        denied = c.get("/v1/jobs", headers={"Origin": ORIGIN})  # CORS does not replace the key
        assert denied.status_code == 401 and denied.headers["access-control-allow-origin"] == ORIGIN
        other = c.get("/v1/jobs", headers={"Origin": "https://evil.example", "Authorization": "Bearer k1"})
        assert "access-control-allow-origin" not in other.headers


def test_no_cors_headers_unless_configured(client):
    r = client.get("/v1/jobs", headers={"Origin": ORIGIN})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
