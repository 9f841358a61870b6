"""Criterion scores of one job-candidate pair, each in [0, 1], with the evidence behind it.

Pure functions over two `Side`s (what a job asks for, what a candidate offers); words are compared as
stemmed terms (`Bm25Encoder.terms`), so "Networking" meets "network". A criterion the job does not
ask for (no languages, no location) scores 1: it cannot count against anyone.
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from app.domain import CEFR_LEVELS

CRITERIA = ("semantic", "lexical", "skills", "experience", "title", "language", "location")
SKILL_FOUND = 0.6  # share of a required skill's terms that makes it "matched"
ROLE_FOUND = 0.5  # share of a required role's terms a held title must contain to count as that role


@dataclass
class Role:
    terms: frozenset[int]
    title: str
    years: float | None


@dataclass
class Side:
    """One record as the criteria see it (a job: what it requires; a candidate: what it holds)."""

    titles: list[tuple[str, frozenset[int]]]
    skills: list[tuple[str, frozenset[int]]]
    roles: list[Role]
    years: float | None
    languages: dict[str, str]
    location: dict[str, Any] | None
    remote: bool
    relocate: bool
    terms: frozenset[int]
    occupations: list[str] = field(default_factory=list)

    @property
    def skill_terms(self) -> frozenset[int]:
        return frozenset().union(*(t for _, t in self.skills)) if self.skills else frozenset()


@dataclass
class Criterion:
    score: float
    evidence: dict[str, Any]


def generic_terms(terms_of) -> frozenset[int]:
    """Words that say how well, not what: "strong knowledge of X" requires X."""
    return terms_of(
        "ability able competency competent expertise expert experience experienced knowledge "
        "proficiency proficient skill skills strong excellent good solid understanding familiarity "
        "familiar working use using demonstrated proven"
    )


def _share(needed: frozenset[int], have: frozenset[int]) -> float:
    return len(needed & have) / len(needed) if needed else 0.0


def pair_skills(
    wanted: list[tuple[str, frozenset[int]]], offered: list[tuple[str, frozenset[int]]]
) -> tuple[float, list[tuple[str, str]]]:
    """Each listed skill of the CV paired with at most one required skill (an assignment maximising the
    total): a pair is worth the share of the CV item's words found in the requirement, so "Consultation"
    meets "Proficiency in consulting scenarios where ...". The mean over required skills, and the pairs.
    One-to-one, a list that lost an item scores lower even when its other items repeat the lost words."""
    if not wanted or not offered:
        return 0.0, []
    wanted_with: dict[int, list[int]] = {}  # term -> the required skills that contain it
    for r, (_, terms) in enumerate(wanted):
        for t in terms:
            wanted_with.setdefault(t, []).append(r)
    share = np.zeros((len(wanted), len(offered)))
    for c, (_, terms) in enumerate(offered):
        for t in terms:
            for r in wanted_with.get(t, ()):
                share[r, c] += 1.0 / len(terms)
    if not share.any():
        return 0.0, []
    rows, cols = linear_sum_assignment(share, maximize=True)
    pairs = [(wanted[r][0], offered[c][0]) for r, c in zip(rows, cols) if share[r, c] > 0]
    return float(share[rows, cols].sum() / len(wanted)), pairs


def skills(job: Side, cand: Side) -> Criterion:
    """The mean of two readings of the job's required skills in the CV. Coverage: each required skill
    found in the CV's skills list (full credit) or only elsewhere in its text (half credit, a mention is
    weaker evidence than a claimed skill). Pairing: the CV's listed skills matched one-to-one to the
    required ones (`pair_skills`); a CV without a skills list is read by coverage alone."""
    wanted = [(name, t) for name, t in job.skills if t]
    if not wanted:
        return Criterion(1.0, {"required": 0, "matched": [], "missing": [], "pairs": []})
    listed = cand.skill_terms if cand.skills else cand.terms
    names = {n.lower() for n, _ in cand.skills}
    matched: list[str] = []
    missing: list[str] = []
    total = 0.0
    for name, t in wanted:
        exact = name.lower() in names
        credit = 1.0 if exact else max(_share(t, listed), 0.5 * _share(t, cand.terms))
        total += min(1.0, credit / SKILL_FOUND)
        (matched if exact or credit >= SKILL_FOUND * 0.99 else missing).append(name)
    coverage = total / len(wanted)
    paired, pairs = pair_skills(wanted, cand.skills) if cand.skills else (coverage, [])
    return Criterion(
        (coverage + paired) / 2,
        {
            "required": len(wanted),
            "matched": matched,
            "missing": missing,
            "pairs": [{"required": r, "listed": o} for r, o in pairs],
        },
    )


def _best_role(need: Role, held: list[Role]) -> tuple[Role | None, float]:
    best, best_share = None, 0.0
    for h in held:
        share = _share(need.terms, h.terms)
        if share > best_share or (share == best_share and best and (h.years or 0) > (best.years or 0)):
            best, best_share = h, share
    return best, best_share


def experience(job: Side, cand: Side) -> Criterion:
    """Years in each required role (a held title sharing most of its words), else total years,
    against what the job asks."""
    needs = [r for r in job.roles if r.terms and r.years]
    if needs:
        found, total = [], 0.0
        for need in needs:
            held, share = _best_role(need, cand.roles)
            years = held.years if held is not None and share >= ROLE_FOUND and held.years is not None else 0.0
            total += min(1.0, years / (need.years or 1.0))
            found.append(
                {
                    "role": need.title,
                    "required_years": need.years,
                    "held_as": held.title if held is not None and years else None,
                    "years": years,
                }
            )
        return Criterion(total / len(needs), {"roles": found, "years": cand.years, "required_years": job.years})
    if job.years:
        if cand.years is None:
            return Criterion(0.5, {"years": None, "required_years": job.years})
        return Criterion(min(1.0, cand.years / job.years), {"years": cand.years, "required_years": job.years})
    return Criterion(1.0, {"years": cand.years, "required_years": None})


def title(job: Side, cand: Side) -> Criterion:
    """The job title's words in a title the candidate holds or wants, or a shared reference occupation."""
    best, held = 0.0, None
    for _, jterms in job.titles:
        for ct, cterms in cand.titles:
            share = _share(jterms, cterms)
            if share > best:
                best, held = share, ct
    shared = [o for o in job.occupations[:3] if o in cand.occupations[:3]]
    score = max(best, 1.0 if shared[:1] and shared[0] == job.occupations[0] else 0.75 if shared else 0.0)
    return Criterion(
        score, {"title": job.titles[0][0] if job.titles else None, "closest": held, "shared_occupations": shared}
    )


def language(job: Side, cand: Side) -> Criterion:
    if not job.languages:
        return Criterion(1.0, {"required": {}})
    met = [
        code
        for code, level in job.languages.items()
        if code in cand.languages and CEFR_LEVELS.index(cand.languages[code]) >= CEFR_LEVELS.index(level)
    ]
    missing = [code for code in job.languages if code not in met]
    return Criterion(len(met) / len(job.languages), {"required": job.languages, "met": met, "missing": missing})


def location(job: Side, cand: Side) -> Criterion:
    jl, cl = job.location or {}, cand.location or {}
    if job.remote or not (jl.get("city") or jl.get("country")):
        return Criterion(1.0, {"remote": job.remote})
    if jl.get("city") and (cl.get("city") or "").strip().lower() == jl["city"].strip().lower():
        return Criterion(1.0, {"same": "city"})
    if not (cl.get("city") or cl.get("country")):
        return Criterion(0.5, {"same": None, "known": False})
    same_country = jl.get("country") and (cl.get("country") or "").upper() == jl["country"].upper()
    score = 0.75 if same_country else 0.5 if cand.relocate else 0.0
    return Criterion(score, {"same": "country" if same_country else None, "relocate": cand.relocate})


def score_pair(job: Side, cand: Side, semantic: float, lexical: float) -> dict[str, Criterion]:
    """Every criterion of one pair; `semantic` is the dense cosine, `lexical` the BM25 score scaled to
    the best of the candidate pool (both computed by the store)."""
    return {
        "semantic": Criterion(max(0.0, min(1.0, semantic)), {"cosine": round(semantic, 4)}),
        "lexical": Criterion(max(0.0, min(1.0, lexical)), {"bm25_vs_best": round(lexical, 4)}),
        "skills": skills(job, cand),
        "experience": experience(job, cand),
        "title": title(job, cand),
        "language": language(job, cand),
        "location": location(job, cand),
    }
