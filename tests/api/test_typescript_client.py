"""A TypeScript client generated from the OpenAPI document (openapi-typescript + openapi-fetch) is up to
date with the service and type-checks (tsc --strict) against code a frontend would write with it
(clients/typescript/src/client.ts): a contract change that breaks frontends fails here."""

import json
import shutil
import subprocess

import pytest

from app.bench.serving import ROOT
from app.main import create_app
from app.settings import Settings

CLIENT = ROOT / "clients" / "typescript"


def npm(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(["npm", *args], cwd=CLIENT, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def node_modules():
    if shutil.which("npm") is None:
        pytest.skip("no npm: the TypeScript client check needs Node.js and npm")
    if not (CLIENT / "node_modules" / ".bin" / "tsc").exists():
        done = npm("ci", "--no-audit", "--no-fund")
        assert done.returncode == 0, done.stderr


def test_generated_types_match_the_service(node_modules, tmp_path):
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(create_app(Settings(data_dir=tmp_path)).openapi()))
    out = tmp_path / "schema.d.ts"
    done = npm("exec", "--", "openapi-typescript", str(spec), "--default-non-nullable", "false", "-o", str(out))
    assert done.returncode == 0, done.stderr
    committed = (CLIENT / "src" / "schema.d.ts").read_text()
    assert out.read_text() == committed, "the API changed: run `make client` and commit clients/typescript/src"


def test_client_code_type_checks(node_modules):
    done = npm("exec", "--", "tsc", "--noEmit")
    assert done.returncode == 0, done.stdout + done.stderr
