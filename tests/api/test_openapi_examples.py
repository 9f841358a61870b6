"""Every operation in the OpenAPI document has a description and a recorded example of its request and
response (app/api/examples.json, written by scripts/record_examples.py), and each example still fits the
schema it illustrates: a model change that makes an example wrong fails here."""

import jsonschema_rs
import pytest

from app.main import create_app
from app.settings import Settings

JSON = "application/json"


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    return create_app(Settings(data_dir=tmp_path_factory.mktemp("spec"))).openapi()


def operations(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            yield f"{method.upper()} {path}", op


def problems(spec, schema: dict, value) -> list[str]:
    validator = jsonschema_rs.Draft202012Validator({**schema, "components": spec["components"]})
    return [f"{list(e.instance_path)}: {e.message}" for e in validator.iter_errors(value)]


def success_media(op) -> list[dict]:
    return [
        r["content"][JSON]
        for s, r in op["responses"].items()
        if s.startswith("2") and r.get("content", {}).get(JSON, {}).get("schema")
    ]


def test_every_operation_is_described(spec):
    assert not [name for name, op in operations(spec) if not (op.get("description") or op.get("summary"))]


def test_every_json_body_and_success_response_has_an_example_that_fits(spec):
    missing, wrong = [], []
    for name, op in operations(spec):
        body = op.get("requestBody", {}).get("content", {}).get(JSON)
        if body is not None:
            if "example" in body:
                wrong += [f"{name} request {p}" for p in problems(spec, body["schema"], body["example"])]
            else:
                missing.append(f"{name} request")
        media = success_media(op)
        if media and not any("example" in m for m in media):
            missing.append(f"{name} response")
        for m in media:
            if "example" in m:
                wrong += [f"{name} response {p}" for p in problems(spec, m["schema"], m["example"])]
    assert not missing, "run scripts/record_examples.py: " + ", ".join(missing)
    assert not wrong, wrong


def test_a_wrong_example_is_caught(spec):
    """The check itself can fail: a job without its title does not fit JobIn."""
    body = spec["paths"]["/v1/jobs"]["post"]["requestBody"]["content"][JSON]
    assert problems(spec, body["schema"], {"description": "no title"})
