"""The deployment files say what the service reads: every JOBMATCH_ variable they set is a setting and
its value validates, the cluster keeps every shard on two nodes, and the compose files' services and
volumes hang together (no Docker engine runs here to start them)."""

from pathlib import Path

import pytest
import yaml

from app.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "cluster"


def compose_env() -> dict[str, str]:
    doc = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    return {k: str(v) for k, v in doc["services"]["jobmatch"]["environment"].items()}


def kubernetes_env() -> dict[str, str]:
    docs = list(yaml.safe_load_all((DEPLOY / "kubernetes" / "jobmatch.yaml").read_text()))
    container = docs[0]["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e["value"] for e in container["env"] if "value" in e}


@pytest.mark.parametrize("env", [compose_env(), kubernetes_env()], ids=["compose", "kubernetes"])
def test_every_variable_is_a_valid_setting(env, monkeypatch):
    fields = {f"JOBMATCH_{name.upper()}" for name in Settings.model_fields}
    assert set(env) - {"JOBMATCH_API_KEYS"} <= fields, set(env) - fields
    for k, v in env.items():
        if not v.startswith("$"):
            monkeypatch.setenv(k, v)
    layout = Settings().store_layout()
    assert layout.replication_factor == 2 and layout.shards and layout.shards % 3 == 0  # spread over 3 nodes
    assert layout.write_consistency_factor is not None and layout.write_consistency_factor <= 2
    assert layout.quantized


def test_the_compose_cluster_hangs_together():
    doc = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = doc["services"]
    nodes = [s for s in services if s.startswith("qdrant-")]
    assert len(nodes) == 3
    for name in nodes:
        assert services[name]["environment"]["QDRANT__CLUSTER__ENABLED"] == "true"
        volume = services[name]["volumes"][0].split(":")[0]
        assert volume in doc["volumes"]
    assert "--bootstrap" in services["qdrant-2"]["command"] and "--bootstrap" in services["qdrant-3"]["command"]
    assert services["jobmatch"]["deploy"]["replicas"] >= 2
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert all(f"{n}:6333" in nginx for n in nodes) and "jobmatch:8000" in nginx
