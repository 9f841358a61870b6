"""Exclusion rules."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.api.schemas.common import Page, Strict


class Anchor(Strict):
    text: Annotated[str, StringConstraints(max_length=2000)] | None = None
    occupation_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    threshold: float | None = Field(None, ge=-1, le=1, description="Cosine similarity; default from settings.")

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [  # the rule of _one_anchor, in the OpenAPI document
                {"required": ["text"], "properties": {"text": {"type": "string", "pattern": r"\S"}}},
                {"required": ["occupation_id"], "properties": {"occupation_id": {"type": "string", "minLength": 1}}},
            ]
        }
    )

    @model_validator(mode="after")
    def _one_anchor(self):
        given = [bool(self.text and self.text.strip()), bool(self.occupation_id)]
        if sum(given) != 1:
            raise ValueError("an anchor needs exactly one of a non-empty 'text' or an 'occupation_id'")
        return self


class RuleIn(Strict):
    if_near: Anchor = Field(description="The rule fires for queries near this anchor.")
    exclude_near: Anchor = Field(description="Results near this anchor are then removed.")
    note: Annotated[str, StringConstraints(max_length=1000)] | None = None


class RuleOut(BaseModel):
    id: str
    if_near: Anchor
    exclude_near: Anchor
    note: str | None = None
    created_at: datetime


class RulePage(Page[RuleOut]):
    pass
