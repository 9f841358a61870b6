"""A stored job or candidate (document, extracted fields, occupations) as the criteria see it."""

from typing import Any

from app.domain import DocView, Kind, OccupationMatch
from app.matching.criteria import Role, Side
from app.matching.lexical_vectors import Bm25Encoder
from app.matching.records import TEXT


def _skills(doc: dict[str, Any], extracted: dict[str, Any], bm25: Bm25Encoder) -> list[tuple[str, frozenset[int]]]:
    seen, out = set(), []
    for name in (*(doc.get("skills") or ()), *(extracted.get("skills") or ())):
        key = name.lower()
        if key not in seen:
            seen.add(key)
            out.append((name, bm25.skill_terms(name)))
    return out


def side_of(
    kind: Kind,
    doc: dict[str, Any],
    extracted: dict[str, Any] | None,
    occupations: list[OccupationMatch] | None,
    bm25: Bm25Encoder,
    text_terms: frozenset[int] | None = None,
) -> Side:
    """Client fields win over extracted ones; a job's roles and skills are requirements, a candidate's
    are what they hold. `text_terms` (the stored sparse vector's indices) spares tokenising the text again."""
    ex, terms = extracted or {}, bm25.terms
    roles = [
        Role(terms(f"{r['title']} {r.get('context', '')}"), r["title"], r.get("years")) for r in ex.get("roles") or []
    ]
    view = DocView(kind, doc)
    titles = [view.title] if kind is Kind.JOB else [view.title, *(r.title for r in roles)]
    years = view.years
    return Side(
        titles=[(t, terms(t)) for t in titles if t.strip()],
        skills=_skills(doc, ex, bm25),
        roles=roles,
        years=years if years is not None else ex.get("years_experience"),
        languages=doc.get("languages") or ex.get("languages") or {},
        location=doc.get("location"),
        remote=bool(doc.get("remote")),
        relocate=bool(doc.get("willing_to_relocate")),
        terms=text_terms if text_terms is not None else terms(" ".join(TEXT[kind](doc))),
        occupations=[o.id for o in occupations or [] if o.id],
    )
