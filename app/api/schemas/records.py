"""Jobs and candidates: what a client sends and what it gets back."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.api.schemas.common import CEFR, ExternalId, LangCode, Metadata, Page, ShortStr, Skill, Strict
from app.domain import MAX_TEXT


class Location(Strict):
    city: ShortStr | None = None
    country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] | None = Field(
        None, description="ISO 3166-1 alpha-2 code, e.g. DE."
    )
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)

    @model_validator(mode="after")
    def _both_coordinates(self):
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self


class Salary(Strict):
    """A range; `min` may not exceed `max` (JSON Schema cannot say that: the service answers 422)."""

    min: float | None = Field(None, ge=0)
    max: float | None = Field(None, ge=0)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = Field(
        None, description="ISO 4217 code, e.g. EUR."
    )

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
    metadata: Metadata = Field(default_factory=dict)


class CandidateIn(Strict):
    """`cv_text` longer than the model's window (~200 words) is split into chunks that are
    embedded separately and mean-pooled into one vector (JOBMATCH_CHUNK_POOLING)."""

    external_id: ExternalId | None = Field(None, description="Your id; posting it again updates the candidate.")
    name: Annotated[str, StringConstraints(max_length=300)] | None = None
    email: Annotated[str, StringConstraints(max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    phone: Annotated[str, StringConstraints(max_length=40, pattern=r"^\+?[0-9][0-9 ()./-]{3,38}$")] | None = None
    desired_title: Annotated[str, StringConstraints(max_length=500)] | None = None
    cv_text: str = Field("", max_length=MAX_TEXT)
    skills: list[Skill] = Field(default_factory=list, max_length=200)
    location: Location | None = None
    remote: bool = False
    willing_to_relocate: bool = False
    languages: dict[LangCode, CEFR] = Field(default_factory=dict, description="ISO 639-1 code -> CEFR level.")
    years_experience: float | None = Field(None, ge=0, le=80)
    salary_expectation: Salary | None = None
    metadata: Metadata = Field(default_factory=dict)

    # the rule of _has_text, said in the OpenAPI document too (clients and fuzzers read it there)
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["desired_title"], "properties": {"desired_title": {"type": "string", "pattern": r"\S"}}},
                {"required": ["cv_text"], "properties": {"cv_text": {"type": "string", "pattern": r"\S"}}},
                {"required": ["skills"], "properties": {"skills": {"type": "array", "minItems": 1}}},
            ]
        }
    )

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
    occupations: list["OccupationSummary"] = Field(
        default_factory=list, description="Top reference occupations found on ingest, best first."
    )
    encoder_confidence: float | None = Field(
        None, description="How sure the encoder is of this record's features (mean softmax-group sharpness, 0..1)."
    )
    extracted: dict[str, Any] = Field(
        default_factory=dict,
        description="Read out of the free text: skills, roles (title, years), years_experience, "
        "languages. Client fields win over these; filters use them when absent.",
    )


class OccupationSummary(BaseModel):
    id: str
    label: str
    score: float
    confidence: float | None = None


class JobOut(JobIn, Stamps):
    model_config = ConfigDict(strict=False, extra="ignore")


class CandidateOut(CandidateIn, Stamps):
    model_config = ConfigDict(strict=False, extra="ignore")


class JobPage(Page[JobOut]):
    pass


class CandidatePage(Page[CandidateOut]):
    pass
