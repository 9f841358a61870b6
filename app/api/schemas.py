"""Request and response models of the HTTP API. Strict: wrong types are rejected, never coerced."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

MAX_TEXT = 100_000
CEFR = Literal["A1", "A2", "B1", "B2", "C1", "C2"]
LangCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
ShortStr = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Skill = Annotated[str, StringConstraints(min_length=1, max_length=100)]
ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^\S(.*\S)?$")]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class Location(Strict):
    city: ShortStr | None = None
    country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] | None = Field(
        None, description="ISO 3166-1 alpha-2 code, e.g. DE.")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)

    @model_validator(mode="after")
    def _both_coordinates(self):
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self


class Salary(Strict):
    min: float | None = Field(None, ge=0)
    max: float | None = Field(None, ge=0)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = Field(
        None, description="ISO 4217 code, e.g. EUR.")

    @model_validator(mode="after")
    def _ordered(self):
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("salary min is greater than max")
        return self


class JobIn(Strict):
    external_id: ExternalId | None = Field(None, description="Your id; posting it again updates the job.")
    title: Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)]
    description: str = Field("", max_length=MAX_TEXT)
    skills: list[Skill] = Field(default_factory=list, max_length=200)
    location: Location | None = None
    remote: bool = False
    languages: dict[LangCode, CEFR] = Field(default_factory=dict, description="ISO 639-1 code -> minimum CEFR level.")
    min_years_experience: float | None = Field(None, ge=0, le=80)
    salary: Salary | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class CandidateIn(Strict):
    """`cv_text` longer than the model's window (~200 words) is split into chunks that are
    embedded separately and max-pooled into one vector (JOBMATCH_CHUNK_POOLING)."""

    external_id: ExternalId | None = Field(None, description="Your id; posting it again updates the candidate.")
    name: Annotated[str, StringConstraints(max_length=300)] | None = None
    desired_title: Annotated[str, StringConstraints(max_length=500)] | None = None
    cv_text: str = Field("", max_length=MAX_TEXT)
    skills: list[Skill] = Field(default_factory=list, max_length=200)
    location: Location | None = None
    remote: bool = False
    willing_to_relocate: bool = False
    languages: dict[LangCode, CEFR] = Field(default_factory=dict, description="ISO 639-1 code -> CEFR level.")
    years_experience: float | None = Field(None, ge=0, le=80)
    salary_expectation: Salary | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _has_text(self):
        if not ((self.desired_title or "").strip() or self.cv_text.strip() or self.skills):
            raise ValueError("a candidate needs at least one of desired_title, cv_text or skills to be matched")
        return self


class Stamps(BaseModel):
    id: str
    created_at: datetime
    updated_at: datetime
    model: str | None = Field(None, description="Model that embedded this record.")


class JobOut(JobIn, Stamps):
    model_config = ConfigDict(strict=False, extra="ignore")


class CandidateOut(CandidateIn, Stamps):
    model_config = ConfigDict(strict=False, extra="ignore")


class JobPage(BaseModel):
    items: list[JobOut]
    total: int
    limit: int
    offset: int


class CandidatePage(BaseModel):
    items: list[CandidateOut]
    total: int
    limit: int
    offset: int


class ItemError(BaseModel):
    code: str
    message: str
    details: Any = None


class BulkItem(BaseModel):
    index: int
    id: str | None = None
    external_id: str | None = None
    created: bool | None = None
    error: ItemError | None = None


class BulkResponse(BaseModel):
    results: list[BulkItem]
    accepted: int
    rejected: int


# --- matching ---------------------------------------------------------------------------------

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


class MatchRequest(Strict):
    limit: int = Field(10, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)
    filters: MatchFilters | None = None


class AdHocMatchRequest(MatchRequest):
    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT)]
    target: Literal["candidates", "jobs"]


class MatchOut(BaseModel):
    id: str
    external_id: str | None
    title: str | None
    name: str | None = None
    score: float = Field(description="Dot product of the two unit vectors (cosine similarity).")
    confidence: float | None = Field(None, description="Calibrated probability that the match is right.")
    location: Location | None = None
    skills: list[str] = Field(default_factory=list)


class MatchResponse(BaseModel):
    matches: list[MatchOut]
    model: str


class EmbedRequest(Strict):
    texts: list[Annotated[str, StringConstraints(max_length=MAX_TEXT)]] = Field(min_length=1, max_length=256)


class EmbedResponse(BaseModel):
    model: str
    dim: int
    vectors: list[list[float]]
