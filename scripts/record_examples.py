"""Record one real request and response per API operation into app/api/examples.json (shown in /docs).

    .venv/bin/python scripts/record_examples.py

Runs every operation against a real app (real model, embedded store in a temp folder, no reference
set, then a few occupations of its own) with the walk-through's sample people, and keeps what came
back. Long lists are cut to their first items and vectors to their first values, so the examples stay
readable; tests/api/test_openapi_examples.py checks that each still fits the schema.
"""

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.api.examples import EXAMPLES
from app.main import create_app
from app.settings import Settings

PEOPLE = Path(__file__).resolve().parents[1] / "examples" / "people.ndjson"
JOB = {
    "external_id": "J-1",
    "title": "Senior Python Backend Developer",
    "description": "Build REST APIs with FastAPI and PostgreSQL; Docker; code reviews. 4+ years of Python.",
    "skills": ["Python", "FastAPI", "PostgreSQL"],
    "location": {"city": "Berlin", "country": "DE", "lat": 52.52, "lon": 13.405},
    "remote": True,
    "languages": {"de": "B2", "en": "C1"},
    "min_years_experience": 4,
    "salary": {"min": 65000, "max": 85000, "currency": "EUR"},
    "metadata": {"team": "platform"},
}
NURSE = {
    "external_id": "J-2",
    "title": "Intensive Care Nurse",
    "description": "Care for critically ill patients in the ICU; ventilation, medication, monitoring.",
    "location": {"city": "Hamburg", "country": "DE"},
    "languages": {"de": "C1"},
    "min_years_experience": 2,
}


def trim(value: Any, items: int = 2, floats: int = 4) -> Any:
    """Lists cut to `items` entries (vectors to `floats` values), recursively."""
    if isinstance(value, list):
        if value and all(isinstance(v, float) for v in value):
            return [round(v, 4) for v in value[:floats]]
        return [trim(v, items, floats) for v in value[:items]]
    if isinstance(value, dict):
        return {k: trim(v, items, floats) for k, v in value.items()}
    return value


class Recorder:
    def __init__(self, client: TestClient):
        self.client, self.examples = client, {}

    def __call__(self, op: str, method: str, path: str, body: Any = None, **kw) -> Any:
        r = self.client.request(method, path, json=body, **kw)
        assert r.status_code < 300, (op, r.status_code, r.text)
        ex: dict[str, Any] = {"status": r.status_code}
        if body is not None:
            ex["request"] = trim(body, items=3)
        if r.status_code != 204 and r.headers.get("content-type", "").startswith("application/json"):
            ex["response"] = trim(r.json(), items=4)
        self.examples[op] = ex
        return r.json() if "response" in ex else None


def main() -> None:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    people = [json.loads(line) for line in PEOPLE.read_text().splitlines()]
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="examples-")), reference_occupations="none")
    with TestClient(create_app(settings)) as client:
        rec = Recorder(client)
        dev = rec(
            "occupations_create",
            "POST",
            "/v1/occupations",
            {
                "external_id": "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1",
                "label": "software developer",
                "alt_labels": ["programmer", "software engineer", "backend developer"],
                "description": "Software developers implement or program all kinds of software systems.",
                "code": "2512.4",
                "source": "esco",
            },
        )
        rec(
            "occupations_bulk",
            "POST",
            "/v1/occupations/bulk",
            [
                {
                    "external_id": "custom:icu-nurse",
                    "label": "intensive care nurse",
                    "alt_labels": ["ICU nurse"],
                    "source": "custom",
                },
                {
                    "external_id": "custom:welder",
                    "label": "welder",
                    "alt_labels": ["MIG welder", "TIG welder"],
                    "source": "custom",
                },
            ],
        )
        rec("occupations_list", "GET", "/v1/occupations", params={"limit": 2})
        rec("occupations_get", "GET", f"/v1/occupations/{dev['id']}")
        rec(
            "occupations_normalize",
            "POST",
            "/v1/occupations/normalize",
            {"texts": ["Senior Python Engineer (m/w/d)", "Krankenpfleger Intensivstation"], "limit": 2},
        )

        job = rec("jobs_create", "POST", "/v1/jobs", JOB)
        rec(
            "jobs_bulk",
            "POST",
            "/v1/jobs/bulk",
            [NURSE, {"external_id": "J-3", "title": "Welder", "description": "MIG/TIG welding of steel frames."}],
        )
        rec("candidates_create", "POST", "/v1/candidates", people[0])
        bulk = rec("candidates_bulk", "POST", "/v1/candidates/bulk", people[1:])
        rec("jobs_list", "GET", "/v1/jobs", params={"limit": 2, "sort": "updated_at", "order": "desc"})
        rec("candidates_list", "GET", "/v1/candidates", params={"external_id": "C-102"})
        rec("jobs_get", "GET", f"/v1/jobs/{job['id']}")
        rec("jobs_replace", "PUT", f"/v1/jobs/{job['id']}", {**JOB, "min_years_experience": 3})
        cand = bulk["results"][0]["id"]
        rec("candidates_get", "GET", f"/v1/candidates/{cand}")
        rec("candidates_replace", "PUT", f"/v1/candidates/{cand}", {**people[1], "years_experience": 6})

        rule = rec(
            "rules_create",
            "POST",
            "/v1/rules",
            {
                "if_near": {"text": "Python Backend Developer"},
                "exclude_near": {"text": "Data Engineer"},
                "note": "data engineers are hired by the data team",
            },
        )
        rec("rules_list", "GET", "/v1/rules")
        rec("rules_get", "GET", f"/v1/rules/{rule['id']}")
        rec(
            "jobs_match_candidates",
            "POST",
            f"/v1/jobs/{job['id']}/matches",
            {"limit": 2, "count": True, "filters": {"location": {"country": "DE"}, "skills": {"any": ["python"]}}},
        )
        rec(
            "jobs_match_candidates_by_external_id",
            "POST",
            "/v1/jobs/matches",
            {"limit": 1, "blind": True},
            params={"external_id": "J-1"},
        )
        rec("candidates_match_jobs", "POST", f"/v1/candidates/{cand}/matches", {"limit": 2})
        rec(
            "candidates_match_jobs_by_external_id",
            "POST",
            "/v1/candidates/matches",
            {"limit": 1},
            params={"external_id": "C-101"},
        )
        rec(
            "matching_match_text",
            "POST",
            "/v1/matches",
            {"text": "ICU nurse, 8 years, ventilation and triage", "target": "jobs", "limit": 1},
        )
        rec("matching_embed", "POST", "/v1/embed", {"texts": ["Python developer", "Software engineer"]})
        rec("rules_delete", "DELETE", f"/v1/rules/{rule['id']}")

        started = rec("imports_start", "POST", "/v1/imports", files={"file": ("people.ndjson", PEOPLE.read_bytes())})
        queued = client.post("/v1/imports", files={"file": ("more-people.ndjson", PEOPLE.read_bytes())}).json()
        rec("imports_cancel", "DELETE", f"/v1/imports/{queued['id']}")  # still queued behind the first: cancelled
        while client.get(f"/v1/imports/{started['id']}").json()["status"] not in ("done", "failed"):
            time.sleep(0.1)
        rec("imports_get", "GET", f"/v1/imports/{started['id']}")
        rec("imports_list", "GET", "/v1/imports")
        rec("imports_errors", "GET", f"/v1/imports/{started['id']}/errors")

        rec("privacy_export_person", "GET", "/v1/privacy", params={"external_id": "C-103"})
        rec("privacy_erase_person", "DELETE", "/v1/privacy", params={"external_id": "C-103"})
        rec("candidates_delete_by_external_id", "DELETE", "/v1/candidates", params={"external_id": "C-104"})
        rec(
            "candidates_delete_many",
            "POST",
            "/v1/candidates/delete",
            {"ids": ["00000000-0000-0000-0000-000000000000"], "external_ids": ["C-101", "C-999"]},
        )
        rec("jobs_delete_many", "POST", "/v1/jobs/delete", {"external_ids": ["J-3"]})
        rec("candidates_delete", "DELETE", f"/v1/candidates/{cand}")
        rec("jobs_delete_by_external_id", "DELETE", "/v1/jobs", params={"external_id": "J-2"})
        rec("jobs_delete", "DELETE", f"/v1/jobs/{job['id']}")
        rec("occupations_delete", "DELETE", f"/v1/occupations/{dev['id']}")
        rec("health_health", "GET", "/health")
        rec("health_ready", "GET", "/ready")
    EXAMPLES.write_text(json.dumps(dict(sorted(rec.examples.items())), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(rec.examples)} examples to {EXAMPLES}")


if __name__ == "__main__":
    main()
