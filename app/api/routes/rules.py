"""/v1/rules: neural exclusion rules (when a query is near A, drop results near B)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.api.deps import EncoderDep, OccupationsDep, RulesDep, SettingsDep, TenantDep
from app.api.present import utc
from app.api.schemas import Anchor, RuleIn, RuleOut, RulePage
from app.matching.rules import Rule

router = APIRouter(prefix="/rules", tags=["rules"])


def rule_out(r: Rule) -> dict:
    return {**r.doc, "id": r.id, "created_at": utc(r.created_at)}


def anchor_vector(anchor: Anchor, encoder, occupations, tenant: str):
    if anchor.occupation_id:
        return occupations.vector_of(anchor.occupation_id, tenant)  # 404 when the tenant does not see it
    return encoder.encode([anchor.text])[0]


@router.post("", response_model=RuleOut, status_code=201)
def create_rule(rule: RuleIn, rules: RulesDep, encoder: EncoderDep, occupations: OccupationsDep,
                settings: SettingsDep, tenant: TenantDep):
    """Add an exclusion rule: when a query is near one anchor, drop results near the other."""
    doc = rule.model_dump(mode="json")
    doc["if_near"]["threshold"] = rule.if_near.threshold if rule.if_near.threshold is not None \
        else settings.rule_if_threshold
    doc["exclude_near"]["threshold"] = rule.exclude_near.threshold if rule.exclude_near.threshold is not None \
        else settings.rule_exclude_threshold
    added = rules.add(doc, anchor_vector(rule.if_near, encoder, occupations, tenant),
                      anchor_vector(rule.exclude_near, encoder, occupations, tenant), tenant)
    return rule_out(added)


@router.get("", response_model=RulePage)
def list_rules(rules: RulesDep, tenant: TenantDep, limit: Annotated[int, Query(ge=1, le=100)] = 20,
               offset: Annotated[int, Query(ge=0, le=100_000)] = 0):
    """Exclusion rules, oldest first."""
    items, total = rules.page(limit, offset, tenant)
    return {"items": [rule_out(r) for r in items], "total": total, "limit": limit, "offset": offset}


@router.get("/{rule_id}", response_model=RuleOut)
def get_rule(rule_id: str, rules: RulesDep, tenant: TenantDep):
    """One exclusion rule."""
    return rule_out(rules.get(rule_id, tenant))


@router.delete("/{rule_id}", status_code=204)
def delete_rule(rule_id: str, rules: RulesDep, tenant: TenantDep):
    """Delete an exclusion rule."""
    rules.delete(rule_id, tenant)
    return Response(status_code=204)
