"""Reference occupations and normalisation."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.api.schemas.common import ExternalId, Page, Strict
from app.api.schemas.matching import RuleApplied


class OccupationIn(Strict):
    external_id: ExternalId | None = Field(None, description="Your id (e.g. the ESCO URI); posting it again replaces.")
    label: Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
    alt_labels: list[Annotated[str, StringConstraints(min_length=1, max_length=300)]] = Field(
        default_factory=list, max_length=500
    )
    description: str = Field("", max_length=20_000)
    code: Annotated[str, StringConstraints(max_length=50)] | None = None
    source: Annotated[str, StringConstraints(max_length=100)] | None = Field(None, description="e.g. esco, custom")


class OccupationOut(OccupationIn):
    model_config = ConfigDict(strict=False, extra="ignore")
    id: str
    created_at: datetime


class OccupationPage(Page[OccupationOut]):
    pass


class NormalizeRequest(Strict):
    # each text costs a label search and a re-ranking (~5-15 ms on 2 cores): 256 keeps one call to seconds
    texts: list[Annotated[str, StringConstraints(min_length=1, max_length=2000)]] = Field(min_length=1, max_length=256)
    limit: int = Field(5, ge=1, le=100)


class NormalizedMatch(BaseModel):
    id: str
    external_id: str | None
    label: str
    code: str | None = None
    score: float
    confidence: float | None


class NormalizeResult(BaseModel):
    text: str
    matches: list[NormalizedMatch]
    no_good_match: bool
    rules_applied: list[RuleApplied] = Field(default_factory=list)


class NormalizeResponse(BaseModel):
    results: list[NormalizeResult]
    model: str
