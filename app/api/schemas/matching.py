"""Match requests (filters, weights) and responses (score, confidence, explanation); embeddings."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from app.api.schemas.common import CEFR, LangCode, ShortStr, Skill, Strict
from app.api.schemas.records import Location, Salary
from app.domain import MAX_TEXT
from app.matching.criteria import CRITERIA


class LocationFilter(Strict):
    city: ShortStr | None = None
    country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    radius_km: float | None = Field(None, gt=0, le=20_000)

    @model_validator(mode="after")
    def _complete_circle(self):
        geo = [self.lat, self.lon, self.radius_km]
        if any(v is not None for v in geo) and any(v is None for v in geo):
            raise ValueError("a radius filter needs lat, lon and radius_km together")
        return self


class YearsFilter(Strict):
    gte: float | None = Field(None, ge=0)
    lte: float | None = Field(None, ge=0)


class SkillsFilter(Strict):
    all: list[Skill] = Field(default_factory=list, max_length=50, description="Every one of these skills.")
    any: list[Skill] = Field(default_factory=list, max_length=50, description="At least one of these skills.")


class MatchFilters(Strict):
    location: LocationFilter | None = None
    remote: bool | None = None
    languages: dict[LangCode, CEFR] = Field(default_factory=dict, description="Minimum level: C1 matches C1 and C2.")
    years_experience: YearsFilter | None = Field(None, description="Candidates: experience; jobs: years required.")
    skills: SkillsFilter | None = None
    salary: Salary | None = Field(None, description="Keeps results whose salary range overlaps this one.")
    occupation_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        default_factory=list,
        max_length=100,
        description="Keeps records whose top occupations (normalised on ingest) include one of these.",
    )


CriterionName = Literal[CRITERIA]  # type: ignore[valid-type]  # the criteria's one list: a new criterion is a valid weight at once


class MatchRequest(Strict):
    limit: int = Field(10, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)
    filters: MatchFilters | None = None
    weights: dict[CriterionName, Annotated[float, Field(ge=0, le=1000)]] | None = Field(
        None,
        description="Your own weight per criterion (relative; missing criteria weigh 0). Default: the "
        "weights fitted on labelled job-CV pairs. Changes `score` and the order, not `confidence`.",
        examples=[{"skills": 3, "experience": 2, "title": 1}],
    )
    count: bool = Field(
        False,
        description=(
            "Also count the records that pass the filters (`total` in the response; one more query). Without "
            "it `total` is null: unknown."
        ),
    )
    blind: bool | None = Field(
        None,
        description=(
            "Hide who the person is: no name in the results, and no word of their name or of gender and age "
            "cues in the quoted evidence. Default: JOBMATCH_BLIND_MATCHES."
        ),
    )

    @model_validator(mode="after")
    def _some_weight(self):
        if self.weights is not None and not any(w > 0 for w in self.weights.values()):
            raise ValueError("weights need at least one criterion with a positive weight")
        return self


class AdHocMatchRequest(MatchRequest):
    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT)]
    target: Literal["candidates", "jobs"]


class CriterionOut(BaseModel):
    score: float = Field(description="0..1: how well this pair meets the criterion.")
    weight: float = Field(description="Its share of `score` (weights sum to 1).")
    evidence: dict[str, Any] = Field(default_factory=dict, description="What the score was computed from.")


class Explanation(BaseModel):
    breakdown: dict[str, CriterionOut] = Field(
        default_factory=dict, description="semantic, lexical, skills, experience, title, language, location."
    )
    matched_skills: list[str] = Field(default_factory=list, description="The job's required skills found in the CV.")
    missing_skills: list[str] = Field(default_factory=list, description="The job's required skills not found.")
    shared_terms: list[str] = Field(default_factory=list, description="Skills, then words, both texts share.")


class MatchOut(BaseModel):
    id: str
    external_id: str | None
    title: str | None
    name: str | None = None
    score: float = Field(description="Weighted mean of the criterion scores (see explanation.breakdown), 0..1.")
    confidence: float | None = Field(
        None, description="Calibrated probability that the pair is a good fit; null without a fitted match model."
    )
    encoder_confidence: float | None = None
    location: Location | None = None
    skills: list[str] = Field(default_factory=list)
    explanation: Explanation | None = None


class MatchResponse(BaseModel):
    matches: list[MatchOut]
    model: str
    no_good_match: bool = Field(
        description="True when no result is likely a good fit (best confidence under "
        "JOBMATCH_MATCH_THRESHOLD, 0.5 by default) or nothing matched: show "
        "'no good match' rather than noise."
    )
    query_confidence: float | None = None
    rules_applied: list["RuleApplied"] = Field(default_factory=list)
    total: int | None = Field(
        None,
        description=(
            "How many records pass the filters (before exclusion rules), when the request asked `count: true`; "
            "null: not counted."
        ),
    )


class RuleApplied(BaseModel):
    rule_id: str
    excluded: int = Field(description="How many retrieved records this rule removed.")
    removed: list[str] = Field(default_factory=list, description="Ids of the records it removed.")


class EmbedRequest(Strict):
    texts: list[Annotated[str, StringConstraints(max_length=MAX_TEXT)]] = Field(min_length=1, max_length=256)


class EmbedResponse(BaseModel):
    model: str
    dim: int
    vectors: list[list[float]]
