"""Examples in the OpenAPI document: one recorded request and response per operation, so /docs and
/redoc show real bodies and generated clients get them.

`examples.json` maps an operationId to {"request": body, "response": body, "status": code}; it is
written by `scripts/record_examples.py`, which runs every operation against a real app (real model,
embedded store) and keeps what came back. tests/api/test_openapi_examples.py checks that every
operation has one and that each still fits the schema.
"""

import json
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).with_name("examples.json")
JSON = "application/json"


def load() -> dict[str, dict[str, Any]]:
    return json.loads(EXAMPLES.read_text()) if EXAMPLES.exists() else {}


def add_examples(spec: dict[str, Any], examples: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Put each operation's recorded request and response into the document (in place; returned)."""
    for item in spec.get("paths", {}).values():
        for op in item.values():
            ex = examples.get(op.get("operationId", ""))
            if not ex:
                continue
            body = op.get("requestBody", {}).get("content", {})
            if "request" in ex:
                if JSON in body:
                    body[JSON]["example"] = ex["request"]
            response = op.get("responses", {}).get(str(ex.get("status", 200)), {}).get("content", {}).get(JSON)
            if response is not None and "response" in ex:
                response["example"] = ex["response"]
    return spec
