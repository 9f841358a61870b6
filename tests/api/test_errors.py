"""Bad input on every route: a 4xx with the one error shape, a message, and nothing accepted is lost."""

import pytest

from tests.fixtures.people import CANDIDATES, JOBS

MISSING = "00000000-0000-0000-0000-00000000abcd"


def assert_error(r, status, code=None):
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(r.json()) == {"error"} and set(err) == {"code", "message", "details"}
    assert err["message"]
    if code:
        assert err["code"] == code


@pytest.mark.parametrize(
    "method,path,body,status,code",
    [
        ("post", "/v1/jobs", {"title": 123}, 422, "validation_error"),
        ("post", "/v1/jobs", {"title": "x", "unknown": 1}, 422, "validation_error"),
        ("post", "/v1/jobs", {"title": "x", "remote": "yes"}, 422, "validation_error"),
        ("post", "/v1/jobs", {"title": "x", "min_years_experience": "3"}, 422, "validation_error"),
        ("post", "/v1/jobs", {"title": "x", "languages": {"de": "fluent-ish"}}, 422, "validation_error"),
        ("post", "/v1/jobs", {"title": "x", "salary": {"min": 5, "max": 1}}, 422, "validation_error"),
        ("post", "/v1/jobs", {"title": "x", "location": {"lat": 1.0}}, 422, "validation_error"),
        ("post", "/v1/jobs", [], 422, "validation_error"),
        ("post", "/v1/jobs", b'{"title": "x", "metadata": {"a": [1, {"b": NaN}]}}', 422, "validation_error"),
        ("post", "/v1/jobs", b'{"title": "x", "min_years_experience": Infinity}', 422, "validation_error"),
        ("post", "/v1/candidates", {"name": "only a name"}, 422, "validation_error"),
        ("post", "/v1/candidates", {"cv_text": ["a"]}, 422, "validation_error"),
        ("put", f"/v1/jobs/{MISSING}", {"title": 1}, 422, "validation_error"),
        ("put", f"/v1/candidates/{MISSING}", {"cv_text": "x"}, 404, "not_found"),
        ("get", f"/v1/jobs/{MISSING}", None, 404, "not_found"),
        ("get", "/v1/candidates/not-a-uuid", None, 404, "not_found"),
        ("delete", f"/v1/candidates/{MISSING}", None, 404, "not_found"),
        ("get", "/v1/jobs?limit=0", None, 422, "validation_error"),
        ("get", "/v1/candidates?offset=-1", None, 422, "validation_error"),
        ("post", f"/v1/jobs/{MISSING}/matches", {}, 404, "not_found"),
        ("post", f"/v1/candidates/{MISSING}/matches", None, 404, "not_found"),
        ("post", "/v1/matches", {"text": "x", "target": "people"}, 422, "validation_error"),
        ("post", "/v1/matches", {"text": "", "target": "jobs"}, 422, "validation_error"),
        ("post", "/v1/matches", {"text": "x", "target": "jobs", "limit": 101}, 422, "validation_error"),
        (
            "post",
            "/v1/matches",
            {"text": "x", "target": "jobs", "filters": {"location": {"lat": 1, "lon": 2}}},
            422,
            None,
        ),
        ("post", "/v1/matches", {"text": "x", "target": "jobs", "filters": {"languages": {"german": "C1"}}}, 422, None),
        ("post", "/v1/embed", {"texts": []}, 422, "validation_error"),
        ("post", "/v1/embed", {"texts": ["a"] * 257}, 422, "validation_error"),
        ("post", "/v1/embed", {"texts": [1]}, 422, "validation_error"),
        ("post", "/v1/candidates/bulk", {"not": "a list"}, 422, "validation_error"),
        ("post", "/v1/candidates/bulk", [], 422, "validation_error"),
        ("get", "/v1/nothing-here", None, 404, "not_found"),
        ("patch", "/v1/jobs", {}, 405, "method_not_allowed"),
    ],
)
def test_bad_input(shared_client, method, path, body, status, code):
    if isinstance(body, bytes):  # raw JSON text, e.g. with NaN, which httpx refuses to encode
        kwargs = {"content": body, "headers": {"content-type": "application/json"}}
    else:
        kwargs = {} if body is None else {"json": body}
    assert_error(shared_client.request(method.upper(), path, **kwargs), status, code)


@pytest.mark.parametrize(
    "path", ["/v1/jobs", "/v1/candidates", "/v1/candidates/bulk", "/v1/jobs/bulk", "/v1/matches", "/v1/embed"]
)
def test_malformed_json_is_400(shared_client, path):
    assert_error(
        shared_client.post(path, content=b'{"title": ', headers={"content-type": "application/json"}),
        400,
        "malformed_json",
    )


def test_body_over_the_limit_is_413_before_parsing(make_client):
    with make_client(max_body_bytes=2048) as c:
        r = c.post(
            "/v1/candidates/bulk", content=b"[" + b" " * 5000 + b"]", headers={"content-type": "application/json"}
        )
        assert_error(r, 413, "payload_too_large")
        assert "JOBMATCH_MAX_BODY_BYTES" in r.json()["error"]["message"]

        def chunks():  # no Content-Length: the streamed bytes are counted
            for _ in range(10):
                yield b" " * 1000

        assert_error(c.post("/v1/jobs", content=chunks(), headers={"content-type": "application/json"}), 413)
        assert c.post("/v1/jobs", json=JOBS[0]).status_code == 201


def test_rejected_input_does_not_disturb_stored_records(client):
    client.post("/v1/candidates/bulk", json=CANDIDATES)
    client.post("/v1/candidates/bulk", json=[{"bad": 1}])
    client.post("/v1/candidates", content=b"{", headers={"content-type": "application/json"})
    assert client.get("/v1/candidates").json()["total"] == 3


def test_store_failure_is_503(client):
    from app.api.deps import get_records
    from app.errors import StoreUnavailable
    from app.matching.records import Records

    class Unreachable:
        """A store whose server went away: every call fails as qdrant-client's would be translated."""

        def __getattr__(self, name):
            def fail(*a, **k):
                raise StoreUnavailable("Qdrant is not reachable; try again shortly.")

            return fail

    served = client.app.state.services.records
    client.app.dependency_overrides[get_records] = lambda: Records(
        served.encoder, Unreachable(), served.scorer, served.normalizer
    )
    try:
        assert_error(client.get(f"/v1/jobs/{MISSING}"), 503, "store_unavailable")
    finally:
        client.app.dependency_overrides.clear()


def test_a_trailing_slash_is_a_404_that_echoes_no_host(shared_client):
    r = shared_client.get("/v1/jobs/", headers={"Host": "evil.example"}, follow_redirects=False)
    assert_error(r, 404, "not_found")
    assert "location" not in r.headers


def test_method_not_allowed_says_which_methods_are(shared_client):
    r = shared_client.patch("/v1/jobs")
    assert_error(r, 405, "method_not_allowed")
    assert set(r.headers["allow"].replace(" ", "").split(",")) == {"DELETE", "GET", "POST"}


def test_unknown_query_parameters_are_refused_like_unknown_fields(shared_client):
    r = shared_client.get("/v1/jobs", params={"limt": 5})
    assert_error(r, 422, "validation_error")
    assert "limt" in r.json()["error"]["message"] and "limit" in r.json()["error"]["message"]
    assert r.json()["error"]["details"][0]["field"] == "query.limt"
    assert shared_client.get("/v1/jobs", params={"limit": 5, "offset": 0}).status_code == 200
    assert_error(shared_client.post("/v1/matches", params={"debug": 1}, json={"text": "x", "target": "jobs"}), 422)
