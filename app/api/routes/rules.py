"""/v1/rules: neural exclusion rules (when a query is near A, drop results near B)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.api.deps import RulesDep, TenantDep
from app.api.present import rule_out
from app.api.schemas import RuleIn, RuleOut, RulePage

router = APIRouter(prefix="/rules", tags=["rules"])


@router.post("", response_model=RuleOut, status_code=201)
def create_rule(rule: RuleIn, rules: RulesDep, tenant: TenantDep):
    """Add an exclusion rule: when a query is near one anchor, drop results near the other."""
    return rule_out(rules.create(rule.model_dump(mode="json"), tenant))


@router.get("", response_model=RulePage)
def list_rules(
    rules: RulesDep,
    tenant: TenantDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
):
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
