"""Words for a recruiter: the skills and terms two texts share. Pure functions."""

import re
from functools import lru_cache

STOPWORDS = frozenset(
    """a an and are as at be by for from has have i in is it its of on or our the their they this
to was we will with you your who what which skills experience years year work working team job role
responsible including within across also able new more""".split()
)
WORD = re.compile(r"[a-zA-Z][a-zA-Z+#.\-]{1,}")


@lru_cache(maxsize=4096)  # a request explains up to a page of results against one query text
def terms(text: str) -> frozenset[str]:
    return frozenset({w.strip(".-").lower() for w in WORD.findall(text or "")} - STOPWORDS - {""})


def shared_terms(
    a_text: str, b_text: str, a_skills: list[str] | None = None, b_skills: list[str] | None = None, limit: int = 10
) -> list[str]:
    """Skills both sides list first, then other shared words, longest (most specific) first."""
    skills_a = {s.strip().lower() for s in a_skills or []}
    skills_b = {s.strip().lower() for s in b_skills or []}
    skill_hits = sorted(skills_a & skills_b)
    words = sorted(terms(a_text) & terms(b_text) - set(skill_hits), key=lambda w: (-len(w), w))
    return (skill_hits + words)[:limit]
