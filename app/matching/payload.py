"""What a stored job or candidate looks like in Qdrant: the document plus flat, indexed filter fields.

Filter fields are prefixed `f_` and normalised (lower-case city and skills, upper-case country),
so that filters compare like with like whichever side is searched.
"""

import base64
from typing import Any

import numpy as np

from app.domain import CEFR_LEVELS, FIELDS, Kind
from app.store.base import FieldType

INDEXES: dict[str, FieldType] = {
    "external_id": FieldType.KEYWORD,
    "created_at": FieldType.ORDER,
    "updated_at": FieldType.ORDER,  # lists sorted by last change
    "model": FieldType.KEYWORD,
    "f_city": FieldType.KEYWORD,
    "f_country": FieldType.KEYWORD,
    "f_geo": FieldType.GEO,
    "f_remote": FieldType.KEYWORD,
    "f_lang": FieldType.KEYWORD,
    "f_country_lang": FieldType.KEYWORD,  # country x language level (see `country_language_tokens`)
    "f_years": FieldType.FLOAT,
    "f_skills": FieldType.KEYWORD,
    "f_salary_min": FieldType.FLOAT,
    "f_salary_max": FieldType.FLOAT,
    "f_currency": FieldType.KEYWORD,
    "f_occupations": FieldType.KEYWORD,
    "occ_ref": FieldType.KEYWORD,
    "tenant": FieldType.TENANT,  # revision of the occupation set the occupations were computed against
    "layout": FieldType.KEYWORD,
}

# Which document field feeds the shared filter fields, per side.


def flag(value: bool) -> str:
    """Booleans are indexed as keywords (see `app.store.conditions.Match`)."""
    return "true" if value else "false"


def norm_skill(s: str) -> str:
    return " ".join(s.lower().split())


def language_tokens(languages: dict[str, str]) -> list[str]:
    """`{"de": "B2"}` -> `["de:A1", "de:A2", "de:B1", "de:B2"]`: a minimum-level filter is one keyword match."""
    out: list[str] = []
    for code, level in languages.items():
        top = CEFR_LEVELS.index(level)
        out.extend(f"{code.lower()}:{lvl}" for lvl in CEFR_LEVELS[: top + 1])
    return out


def country_language_tokens(country: str, lang_tokens: list[str]) -> list[str]:
    """`"DE"`, `["en:A1", "en:B1"]` -> `["DE|en:A1", "DE|en:B1"]`: a country and a language level in one keyword.

    A filter on both is then one indexed value, and the engine finds exactly the points that pass, where two
    conditions make it walk every point of the more selective one and check the other (at 1M candidates,
    235,643 English speakers at B1+ to find 70,000 in Germany)."""
    return [f"{country}|{tok}" for tok in lang_tokens]


def filter_fields(kind: Kind, doc: dict[str, Any], extracted: dict[str, Any] | None = None) -> dict[str, Any]:
    """The indexed `f_*` fields of one document; absent values are left out, not nulled. Where the client
    sent no skills, years or languages, those read out of the text (`extracted`) are filtered on."""
    ex = extracted or {}
    doc = {
        **doc,
        "skills": doc.get("skills") or ex.get("skills") or [],
        "languages": doc.get("languages") or ex.get("languages") or {},
        FIELDS[kind].years: doc.get(FIELDS[kind].years)
        if doc.get(FIELDS[kind].years) is not None
        else ex.get("years_experience"),
    }
    out: dict[str, Any] = {"f_remote": flag(doc.get("remote", False))}
    loc = doc.get("location") or {}
    if loc.get("city"):
        out["f_city"] = loc["city"].strip().lower()
    if loc.get("country"):
        out["f_country"] = loc["country"].strip().upper()
    if loc.get("lat") is not None and loc.get("lon") is not None:
        out["f_geo"] = {"lat": loc["lat"], "lon": loc["lon"]}
    if doc.get("languages"):
        out["f_lang"] = language_tokens(doc["languages"])
        if "f_country" in out:
            out["f_country_lang"] = country_language_tokens(out["f_country"], out["f_lang"])
    if doc.get(FIELDS[kind].years) is not None:
        out["f_years"] = float(doc[FIELDS[kind].years])
    if doc.get("skills"):
        out["f_skills"] = sorted({norm_skill(s) for s in doc["skills"] if s.strip()})
    salary = doc.get(FIELDS[kind].salary) or {}
    if salary.get("min") is not None or salary.get("max") is not None:
        lo = salary.get("min") if salary.get("min") is not None else salary.get("max")
        hi = salary.get("max") if salary.get("max") is not None else salary.get("min")
        out["f_salary_min"], out["f_salary_max"] = float(lo), float(hi)  # type: ignore[arg-type]  # one is set
    if salary.get("currency"):
        out["f_currency"] = salary["currency"].upper()
    return out


def pack_vector(vector: np.ndarray) -> str:
    """A vector kept in the payload (compared in Python, never searched): float16, base64 (~1 KB for 384)."""
    return base64.b64encode(np.asarray(vector, dtype=np.float16).tobytes()).decode("ascii")


def unpack_vector(packed: str | None) -> np.ndarray | None:
    if not packed:
        return None
    return np.frombuffer(base64.b64decode(packed), dtype=np.float16).astype(np.float32)
