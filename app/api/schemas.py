"""Request and response models of the HTTP API. Strict: wrong types are rejected, never coerced."""

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from app.domain import MAX_TEXT
from app.matching.criteria import CRITERIA
from app.store.payload_guard import payload_problem

MAX_METADATA_CHARS = 64 * 1024


def _cefr(level: Any) -> Any:
    """ "native" (any case) is C2; "c1" is C1."""
    if isinstance(level, str):
        level = level.strip()
        return "C2" if level.lower() == "native" else level.upper()
    return level


# what a client may send (the schema says so): a level in either case, or "native"; stored as A1..C2
CEFR_INPUT = Annotated[str, StringConstraints(pattern=r"^\s*([AaBbCc][12]|[Nn][Aa][Tt][Ii][Vv][Ee])\s*$")]
CEFR = Annotated[Literal["A1", "A2", "B1", "B2", "C1", "C2"], BeforeValidator(_cefr, json_schema_input_type=CEFR_INPUT)]
LangCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
ShortStr = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Skill = Annotated[str, StringConstraints(min_length=1, max_length=100)]
# no control characters (NUL, line breaks) and no bidirectional overrides, which make an id print as another
ExternalId = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=200,
        pattern=r"^[^\s\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]"
        r"([^\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]*[^\s\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069])?$",
    ),
]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)


def _storable(value: Any) -> Any:
    """Free-form metadata must come back exactly as sent: bounded depth, finite numbers, 64-bit integers."""
    if (problem := payload_problem(value)) is not None:
        raise ValueError(problem)
    if len(json.dumps(value, ensure_ascii=False)) > MAX_METADATA_CHARS:
        raise ValueError(f"metadata is larger than {MAX_METADATA_CHARS} characters as JSON; store large data elsewhere")
    return value


Metadata = Annotated[dict[str, Any], AfterValidator(_storable)]


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


class ErrorResponse(BaseModel):
    """The one shape of every 4xx/5xx body."""

    error: ItemError


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": what}
    for status, what in (
        (400, "Malformed JSON (`malformed_json`) or a request the service cannot take (`bad_request`)."),
        (401, "Missing or invalid API key (`unauthorized`), when JOBMATCH_API_KEYS is set."),
        (404, "No such record (`not_found`)."),
        (
            409,
            "Conflict: an external_id held by another record, an unreadable record (`unreadable_record`), "
            "an import that has already ended.",
        ),
        (413, "Body larger than JOBMATCH_MAX_BODY_BYTES (or JOBMATCH_MAX_IMPORT_BYTES for imports)."),
        (422, "The request does not match the schema (`validation_error`); `details` lists each field."),
        (503, "The Qdrant server is unreachable (`store_unavailable`)."),
    )
}


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


class BulkDeleteRequest(Strict):
    ids: list[Annotated[str, StringConstraints(max_length=64)]] = Field(
        default_factory=list, max_length=1000, description="The service's ids."
    )
    external_ids: list[ExternalId] = Field(default_factory=list, max_length=1000, description="Your own ids.")


class DeletedItem(BaseModel):
    id: str | None = None
    external_id: str | None = None
    deleted: bool = Field(description="False when no such record is yours: nothing happened to it.")


class BulkDeleteResponse(BaseModel):
    results: list[DeletedItem] = Field(description="One per id, then one per external_id, in the order sent.")
    deleted: int
    not_found: int


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


# --- reference occupations --------------------------------------------------------------------


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


class OccupationPage(BaseModel):
    items: list[OccupationOut]
    total: int
    limit: int
    offset: int


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


# --- exclusion rules --------------------------------------------------------------------------


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


class RulePage(BaseModel):
    items: list[RuleOut]
    total: int
    limit: int
    offset: int


for _model in (Stamps, JobOut, CandidateOut, JobPage, CandidatePage, MatchResponse):
    _model.model_rebuild()


class ImportOut(BaseModel):
    id: str
    filename: str
    format: Literal["ndjson", "csv", "json", "zip"]
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    total: int | None = Field(None, description="Records in the file; known once the import starts.")
    processed: int = Field(description="Records handled so far (stored or rejected), in file order.")
    stored: int = Field(description="Records stored as candidates.")
    failed: int = Field(description="Records rejected; see /v1/imports/{id}/errors.")
    rate_per_s: float | None = Field(None, description="Records per second in the current run.")
    eta_s: float | None = Field(None, description="Seconds left at the current rate.")
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    restarts: int = Field(0, description="Times the import resumed after the service restarted.")
    message: str | None = Field(None, description="Why the import failed, when it did.")
    callback_url: str | None = Field(None, description="Told (POST, signed) when the import ends.")
    webhook: "WebhookOut | None" = Field(None, description="The delivery to callback_url, once the import ended.")


class WebhookOut(BaseModel):
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status: int | None = Field(None, description="HTTP status of the last attempt's answer.")
    last_error: str | None = None
    delivered_at: datetime | None = None


class ImportPage(BaseModel):
    items: list[ImportOut]
    total: int
    limit: int
    offset: int


class ImportRowError(BaseModel):
    row: int = Field(description="NDJSON line, CSV spreadsheet row (header = 1), JSON array position or ZIP entry.")
    external_id: str | None = None
    message: str


class ImportErrorPage(BaseModel):
    items: list[ImportRowError]
    total: int
    limit: int
    offset: int
