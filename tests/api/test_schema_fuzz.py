"""A bounded schemathesis run over the whole OpenAPI document, against the real app and store: no
request the schema allows (or that deviates from it) may answer 5xx, a status the document does not
list, a body that breaks its documented schema, or a 405 whose Allow header lies.

Not checked: that every schema-valid request is accepted. Cross-field rules (a candidate needs one of
desired_title, cv_text or skills; salary min <= max; exactly one rule anchor) are not expressed in the
JSON Schema, so such requests are answered 422 with a message, as they should be."""

import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi import checks as openapi_checks

from app.main import create_app
from app.settings import Settings

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(Settings(data_dir=tempfile.mkdtemp())))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.missing_required_header,
    openapi_checks.unsupported_method,
]


@pytest.mark.slow  # about 150 s for every operation; the document checks below stay in the fast tier
@pytest.mark.filterwarnings("ignore")
@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_request_breaks_the_contract(case):
    case.call_and_validate(checks=CHECKS)


def test_cross_field_rules_are_in_the_document():
    doc = schema.raw_schema["components"]["schemas"]
    assert {tuple(branch["required"]) for branch in doc["CandidateIn"]["anyOf"]} == {
        ("desired_title",),
        ("cv_text",),
        ("skills",),
    }
    assert {tuple(branch["required"]) for branch in doc["Anchor"]["oneOf"]} == {("text",), ("occupation_id",)}
    assert "may not exceed" in doc["Salary"]["description"]


def test_operation_ids_read_like_a_hand_written_client():
    ids = [op["operationId"] for ops in schema.raw_schema["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    assert {
        "jobs_create",
        "jobs_match_candidates",
        "candidates_match_jobs",
        "imports_errors",
        "matching_embed",
        "rules_delete",
    } <= set(ids)
