"""Neural exclusion rules: when a query falls near anchor A, results near anchor B are removed.

Both anchors are compared with what a record says it is: its title vector (a job's title, a
candidate's desired or latest title; the document vector when it has none). A result is removed only
when it is nearer B than A, so the fitting records of a query near A stay however close A and B are.

A rule is one point in the `rules` collection whose vector is its `if_near` anchor; the `exclude_near`
anchor's vector rides in the payload. Applying every rule costs one vector query (which rules fire
for this query vector), then a dot product per result and fired rule: no extra query per rule.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.domain import DEFAULT_TENANT, AppliedRule, now
from app.encoder.base import Encoder
from app.errors import NotFound
from app.matching.ids import parse_id
from app.matching.revisions import Revisions
from app.store.base import FieldType, StoredPoint, VectorStore
from app.store.conditions import Filter, IsEmpty, Match

COLLECTION = "rules"
INDEXES = {"model": FieldType.KEYWORD, "created_at": FieldType.ORDER, "tenant": FieldType.TENANT}
MAX_FIRED = 256  # rules considered per query: the nearest if_near anchors first


@dataclass
class Rule:
    id: str
    doc: dict[str, Any]  # if_near, exclude_near (each with threshold filled in), note
    created_at: float
    exclude_vector: np.ndarray | None = None
    if_threshold: float = 0.0
    exclude_threshold: float = 0.0
    if_vector: np.ndarray | None = None


@dataclass
class FiredRules:
    rules: list[Rule] = field(default_factory=list)
    excluded: dict[str, list[str]] = field(default_factory=dict)  # rule id -> ids of the records it removed

    def excludes(self, vector: np.ndarray, record_id: str = "") -> Rule | None:
        """The first fired rule that removes this result: its vector is within the exclude_near threshold
        and nearer the exclude anchor than the if_near anchor (a truck driver stays in a truck-driver
        search that excludes bus drivers, however close the two titles are)."""
        for rule in self.rules:
            near = float(np.dot(vector, rule.exclude_vector))  # type: ignore[arg-type]  # set for every fired rule
            if near >= rule.exclude_threshold and (
                rule.if_vector is None or near > float(np.dot(vector, rule.if_vector))
            ):
                self.excluded.setdefault(rule.id, []).append(record_id)
                return rule
        return None

    def applied(self) -> list[AppliedRule]:
        return [
            AppliedRule(r.id, len(self.excluded.get(r.id, [])), [i for i in self.excluded.get(r.id, []) if i])
            for r in self.rules
        ]


# default anchor thresholds (JOBMATCH_RULE_IF_THRESHOLD / _EXCLUDE_THRESHOLD; the exclude one measured by
# scripts/evaluate_rules.py on ESCO near misses)
IF_THRESHOLD, EXCLUDE_THRESHOLD = 0.55, 0.4

AnchorEmbedder = Callable[[dict[str, Any], str], np.ndarray]  # (anchor, tenant) -> the anchor's vector


def anchor_embedder(encoder: Encoder, occupation_vector: Callable[[str, str], np.ndarray]) -> AnchorEmbedder:
    """An anchor is a text (encoded) or an occupation the tenant sees (its stored vector; 404 otherwise)."""

    def embed(anchor: dict[str, Any], tenant: str) -> np.ndarray:
        if anchor.get("occupation_id"):
            return occupation_vector(anchor["occupation_id"], tenant)
        return encoder.encode([anchor["text"]])[0]

    return embed


class RuleBook:
    def __init__(
        self,
        store: VectorStore,
        dim: int,
        model_id: str,
        embed: AnchorEmbedder | None = None,
        if_threshold: float = IF_THRESHOLD,
        exclude_threshold: float = EXCLUDE_THRESHOLD,
        revisions: Revisions | None = None,
    ):
        self.store = store
        self.dim = dim
        self.model_id = model_id
        self.embed = embed
        self.default_thresholds = {"if_near": if_threshold, "exclude_near": exclude_threshold}
        # what was computed with the rules may be reused until they change; shared by replicas sharing Redis
        self.revisions = revisions or Revisions()
        self.min_if_threshold = 1.0  # the lowest if_near threshold of any rule: bounds the rules query
        self.count = 0  # rules of every tenant: with none, no query asks the store for fired rules
        self._counted_at: str | None = None  # the revision count and min_if_threshold were read at

    @property
    def revision(self) -> str:
        return self.revisions.get("rules")

    def open(self) -> None:
        self.store.ensure_collection(COLLECTION, self.dim, INDEXES)
        self.store.set_payload_where(COLLECTION, Filter(must=[IsEmpty("tenant")]), {"tenant": DEFAULT_TENANT})
        self._recount()

    def _recount(self) -> None:
        """Count the rules and find the lowest if_near threshold (at start, and when another replica
        changed the rules)."""
        revision = self.revision
        count, lowest, offset = self.store.count(COLLECTION), 1.0, 0
        while page := self.store.page(COLLECTION, "created_at", 1000, offset):
            lowest = min([lowest, *(p.payload["if_threshold"] for p in page)])
            offset += len(page)
        self.count, self.min_if_threshold, self._counted_at = count, lowest, revision

    def _changed(self) -> None:
        self._counted_at = self.revisions.bump("rules")

    def create(self, doc: dict[str, Any], tenant: str = DEFAULT_TENANT) -> Rule:
        """A rule from its document: thresholds left out take the configured defaults, anchors are embedded."""
        if self.embed is None:
            raise RuntimeError("this RuleBook was built without an anchor embedder")
        doc = {
            **doc,
            **{
                side: {
                    **doc[side],
                    "threshold": self.default_thresholds[side]
                    if doc[side].get("threshold") is None
                    else doc[side]["threshold"],
                }
                for side in ("if_near", "exclude_near")
            },
        }
        return self.add(doc, self.embed(doc["if_near"], tenant), self.embed(doc["exclude_near"], tenant), tenant)

    def add(
        self, doc: dict[str, Any], if_vector: np.ndarray, exclude_vector: np.ndarray, tenant: str = DEFAULT_TENANT
    ) -> Rule:
        rule = Rule(str(uuid.uuid4()), doc, now())
        payload = {
            "doc": doc,
            "created_at": rule.created_at,
            "model": self.model_id,
            "tenant": tenant,
            "exclude_vector": [float(x) for x in exclude_vector],
            "if_threshold": doc["if_near"]["threshold"],
            "exclude_threshold": doc["exclude_near"]["threshold"],
        }
        self.store.upsert(COLLECTION, [StoredPoint(rule.id, payload, if_vector.tolist())])
        self.min_if_threshold = min(self.min_if_threshold, payload["if_threshold"])
        self.count += 1
        self._changed()
        return rule

    def reembed_stale(self, anchor_vector: Callable[[dict[str, Any]], np.ndarray] | None = None) -> int:
        """Re-embed rules stored by another model (same ids); `anchor_vector(anchor_doc)` embeds an anchor
        (default: this book's embedder, in the rule's tenant)."""
        stale = Filter(must_not=[Match("model", self.model_id)])
        done = 0
        while points := self.store.find(COLLECTION, stale, 128):
            for p in points:
                doc, tenant = p.payload["doc"], p.payload.get("tenant", DEFAULT_TENANT)

                def embed(anchor: dict[str, Any], tenant: str = tenant) -> np.ndarray:
                    if anchor_vector is not None:
                        return anchor_vector(anchor)
                    if self.embed is None:
                        raise RuntimeError("this RuleBook was built without an anchor embedder")
                    return self.embed(anchor, tenant)

                payload = {
                    **p.payload,
                    "model": self.model_id,
                    "exclude_vector": [float(x) for x in embed(doc["exclude_near"])],
                }
                self.store.upsert(COLLECTION, [StoredPoint(p.id, payload, embed(doc["if_near"]).tolist())])
            done += len(points)
        return done

    def get(self, rule_id: str, tenant: str = DEFAULT_TENANT) -> Rule:
        found = self.store.retrieve(COLLECTION, [parse_id(rule_id, "rule")])
        if not found or found[0].payload.get("tenant") != tenant:
            raise NotFound(f"No rule with id {rule_id}.")
        return _rule(found[0].id, found[0].payload)

    def delete(self, rule_id: str, tenant: str = DEFAULT_TENANT) -> None:
        self.get(rule_id, tenant)
        self.store.delete(COLLECTION, [parse_id(rule_id, "rule")])
        self.count -= 1
        self._changed()

    def page(self, limit: int, offset: int, tenant: str = DEFAULT_TENANT) -> tuple[list[Rule], int]:
        mine = Filter(must=[Match("tenant", tenant)])
        points = self.store.page(COLLECTION, "created_at", limit, offset, mine)
        return [_rule(p.id, p.payload) for p in points], self.store.count(COLLECTION, mine)

    def fired(self, query: np.ndarray, tenant: str = DEFAULT_TENANT) -> FiredRules:
        """The one extra vector query: the tenant's rules whose if_near anchor is within its threshold of the
        query. Only rules above the lowest threshold come back, so the cost does not grow with the rule count."""
        if self.revision != self._counted_at:  # another replica added or deleted rules
            self._recount()
        if self.count <= 0:
            return FiredRules()
        mine = Filter(must=[Match("model", self.model_id), Match("tenant", tenant)])
        hits = self.store.search(
            COLLECTION, query.tolist(), mine, MAX_FIRED, score_threshold=self.min_if_threshold, with_vector=True
        )
        return FiredRules([_rule(h.id, h.payload, h.vector) for h in hits if h.score >= h.payload["if_threshold"]])


def _rule(rule_id: str, p: dict, if_vector: list[float] | None = None) -> Rule:
    return Rule(
        rule_id,
        p["doc"],
        p.get("created_at", 0.0),
        np.asarray(p["exclude_vector"], dtype=np.float32),
        p["if_threshold"],
        p["exclude_threshold"],
        None if if_vector is None else np.asarray(if_vector, dtype=np.float32),
    )
