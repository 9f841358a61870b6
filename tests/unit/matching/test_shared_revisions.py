"""Replicas sharing Redis see each other's changes: a rule added through one fires on the next query of
another (which had counted no rule), and an occupation added through one makes the others' cached
normalisations and stored records stale."""

import redis

from app.matching.occupations import OccupationIndex
from app.matching.revisions import RedisRevisions, Revisions
from app.matching.rules import RuleBook
from app.store.server import ServerStore


def test_a_rule_added_on_one_replica_fires_on_another(redis_url, encoder):
    store = ServerStore.connect(":memory:")  # one store (a Qdrant cluster), two replicas' rule books
    client = redis.Redis.from_url(redis_url)
    a = RuleBook(store, encoder.dim, "m", revisions=RedisRevisions(client))
    b = RuleBook(store, encoder.dim, "m", revisions=RedisRevisions(client))
    a.open(), b.open()
    truck, bus = encoder.encode(["truck driver", "bus driver"])
    assert b.count == 0 and not b.fired(truck).rules
    a.add({"if_near": {"threshold": 0.5}, "exclude_near": {"threshold": 0.5}}, truck, bus)
    assert [r.id for r in b.fired(truck).rules] and b.count == 1
    assert a.revision == b.revision != "0"


def test_an_occupation_set_change_on_one_replica_is_seen_by_the_others(redis_url, encoder, tmp_path):
    store = ServerStore.connect(":memory:")
    client = redis.Redis.from_url(redis_url)
    a = OccupationIndex(encoder, store, "m", revisions=RedisRevisions(client))
    b = OccupationIndex(encoder, store, "m", revisions=RedisRevisions(client))
    a.open()
    before = b.revision
    a.put_many([{"external_id": "x", "label": "welder", "alt_labels": [], "description": "Joins metal."}])
    assert b.revision == a.revision != before
    # one process alone keeps its revisions in files beside its store: a restart keeps them
    local = Revisions(tmp_path)
    rev = local.bump("occupations")
    assert Revisions(tmp_path).get("occupations") == rev != "0"
