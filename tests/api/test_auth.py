"""JOBMATCH_API_KEYS: every /v1 call needs a bearer key; /health and /ready stay open."""

import pytest


@pytest.fixture
def secured(make_client):
    with make_client(api_keys="k-one, k-two") as c:
        yield c


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic k-one"}, {"Authorization": "Bearer"}]
)
def test_v1_needs_a_valid_key(secured, headers):
    r = secured.get("/v1/jobs", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("key", ["k-one", "k-two"])
def test_any_configured_key_works(secured, key):
    assert secured.get("/v1/jobs", headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_health_and_ready_stay_open(secured):
    assert secured.get("/health").status_code == 200
    assert secured.get("/ready").status_code == 200


def test_ready_shows_paths_and_counts_only_to_a_caller_with_a_key(secured):
    assert secured.get("/ready").json() == {"status": "ready"}
    assert secured.get("/ready", headers={"Authorization": "Bearer nope"}).json() == {"status": "ready"}
    full = secured.get("/ready", headers={"Authorization": "Bearer k-two"}).json()
    assert full["model"]["dim"] == 384 and "collections" in full["store"]


def test_no_keys_configured_means_open(client):
    assert client.get("/v1/jobs").status_code == 200


def test_the_key_is_checked_before_the_body_is_read(secured):
    """A malformed body without a key is a 401 (it was a 400), and an upload is refused before it is read."""
    r = secured.post("/v1/jobs", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    received = []

    def body():  # a streamed upload: how much of it the server asked for before answering
        for i in range(50):
            received.append(i)
            yield b"x" * (1 << 20)

    r = secured.post("/v1/imports", content=body(), headers={"content-type": "multipart/form-data; boundary=b"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    assert len(received) <= 2  # not the 50 MB
    ok = secured.post("/v1/jobs", json={"title": "x"}, headers={"Authorization": "Bearer k-one"})
    assert ok.status_code == 201


def test_the_document_says_when_the_bearer_key_is_required(secured, tmp_path):
    from app.main import create_app
    from app.settings import Settings

    closed = secured.get("/openapi.json").json()
    open_ = create_app(Settings(data_dir=tmp_path / "open")).openapi()
    assert closed["components"]["securitySchemes"]["apiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": closed["components"]["securitySchemes"]["apiKey"]["description"],
    }
    assert closed["paths"]["/v1/jobs"]["post"]["security"] == [{"apiKey": []}]
    assert open_["paths"]["/v1/jobs"]["post"]["security"] == [{"apiKey": []}, {}]  # keys off: optional
