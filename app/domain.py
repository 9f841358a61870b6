"""Plain domain types shared by the core; no FastAPI, no Qdrant."""

import threading
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Kind(str, Enum):
    """The two sides of the market; each is one collection."""

    JOB = "jobs"
    CANDIDATE = "candidates"

    @property
    def other(self) -> "Kind":
        return Kind.CANDIDATE if self is Kind.JOB else Kind.JOB


DEFAULT_TENANT = "default"  # the operator's own tenant: keys without a tenant prefix, or no keys at all
SHARED = "_shared"  # reference occupations every tenant sees (the shipped set; those the operator adds)


@dataclass(frozen=True)
class DocFields:
    """Where one side keeps what the service reads: the field names of a job or of a candidate."""

    title: str  # what names the occupation
    text: str  # the free text
    years: str  # years of experience: required (job) or held (candidate)
    salary: str  # a range {min, max, currency}: offered or expected


FIELDS = {
    Kind.JOB: DocFields("title", "description", "min_years_experience", "salary"),
    Kind.CANDIDATE: DocFields("desired_title", "cv_text", "years_experience", "salary_expectation"),
}


class DocView:
    """A typed view of a job or candidate document as the client sent it: field names live in FIELDS."""

    def __init__(self, kind: Kind, doc: dict[str, Any]):
        self.kind, self.doc, self.fields = kind, doc, FIELDS[kind]

    @property
    def title(self) -> str:
        return (self.doc.get(self.fields.title) or "").strip()

    @property
    def text(self) -> str:
        return (self.doc.get(self.fields.text) or "").strip()

    @property
    def skills(self) -> list[str]:
        return list(self.doc.get("skills") or [])

    @property
    def years(self) -> float | None:
        return self.doc.get(self.fields.years)

    @property
    def salary(self) -> dict[str, Any]:
        return self.doc.get(self.fields.salary) or {}

    @property
    def languages(self) -> dict[str, str]:
        return self.doc.get("languages") or {}

    @property
    def location(self) -> dict[str, Any]:
        return self.doc.get("location") or {}

    @property
    def name(self) -> str | None:
        return self.doc.get("name")


CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")
MAX_TEXT = 100_000  # characters of a job description or CV text (API bodies, import rows, CV files)


@dataclass
class OccupationMatch:
    """One of a record's top reference occupations, with the confidence of the normalisation."""

    id: str
    label: str
    score: float
    confidence: float | None = None

    def to_payload(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "score": self.score, "confidence": self.confidence}

    @classmethod
    def from_payload(cls, d: dict[str, Any]) -> "OccupationMatch":
        return cls(str(d.get("id", "")), str(d.get("label", "")), float(d.get("score", 0.0)), d.get("confidence"))


@dataclass
class Record:
    """A stored job or candidate: its id, the document as the client sent it, and bookkeeping."""

    id: str
    kind: Kind
    doc: dict[str, Any]
    created_at: float
    updated_at: float
    model: str | None = None
    encoder_confidence: float | None = None
    occupations: list[OccupationMatch] = field(default_factory=list)
    extracted: dict[str, Any] = field(default_factory=dict)  # fields read out of the text (app.ingest.extract)
    tenant: str = DEFAULT_TENANT


@dataclass
class Filters:
    """Match filters, already validated; every field is optional."""

    city: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    remote: bool | None = None
    languages: dict[str, str] = field(default_factory=dict)
    years_gte: float | None = None
    years_lte: float | None = None
    skills_all: list[str] = field(default_factory=list)
    skills_any: list[str] = field(default_factory=list)
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None
    occupation_ids: list[str] = field(default_factory=list)


@dataclass
class Match:
    """One ranked result of a match query."""

    record: Record
    score: float
    confidence: float | None = None


_last = 0.0
_clock = threading.Lock()


def now() -> float:
    """The current time as whole microseconds (what the API shows survives the store's float round trip),
    never the same twice in a process: lists page by these stamps, and ties would let a page repeat or
    skip a record (the store breaks ties differently from one query to the next)."""
    global _last
    with _clock:
        _last = max(round(time.time(), 6), round(_last + 1e-6, 6))
        return _last


@dataclass
class CriterionScore:
    """One criterion of a match: its score (0-1), its weight in the match's score, and its evidence."""

    score: float
    weight: float
    evidence: dict[str, Any]


@dataclass
class Explanation:
    """Why a match scored as it did: every criterion, the skills found and missing, the words both share."""

    breakdown: dict[str, CriterionScore]
    matched_skills: list[str]
    missing_skills: list[str]
    shared_terms: list[str]


@dataclass
class AppliedRule:
    """An exclusion rule that fired for a query, and the ids of the results it removed."""

    rule_id: str
    excluded: int
    removed: list[str]
