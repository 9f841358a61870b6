"""Realistic-looking benchmark data built from the shipped ESCO occupations: CVs of ~300 words and jobs.

Only for benchmarks: the texts are generated, the vocabulary is real (ESCO, CC BY 4.0).
"""

import random
from pathlib import Path

from app.reference import ESCO  # the shipped ESCO v1.2.0 occupations: benchmarks run without ../shared
from app.training.data import load_occupations

CITIES = [
    ("Berlin", "DE", 52.52, 13.40),
    ("Munich", "DE", 48.14, 11.58),
    ("Hamburg", "DE", 53.55, 9.99),
    ("Paris", "FR", 48.86, 2.35),
    ("Lyon", "FR", 45.76, 4.84),
    ("Madrid", "ES", 40.42, -3.70),
    ("Amsterdam", "NL", 52.37, 4.90),
    ("Vienna", "AT", 48.21, 16.37),
    ("Warsaw", "PL", 52.23, 21.01),
    ("Milan", "IT", 45.46, 9.19),
]
LANGS = ["en", "de", "fr", "es", "it", "nl", "pl"]
LEVELS = ["A2", "B1", "B2", "C1", "C2"]
FILLER = (
    "Worked closely with colleagues and customers, documented procedures, trained new staff and "
    "took part in quality reviews. Known for reliability, clear communication and a structured way of "
    "working. Completed further training courses and keeps skills current through self-study."
)


def occupations(path: Path = ESCO):
    occs = load_occupations(path)
    return [o for o in occs if o.description]


def make_cv(rng: random.Random, occ, others, words: int = 300) -> dict:
    past = rng.choice(others)
    years = rng.randint(0, 25)
    parts = [
        f"{rng.choice(occ.labels)} with {years} years of experience.",
        occ.description,
        f"Previously worked as {past.label}: {past.description}",
        FILLER,
    ]
    text = " ".join(parts).split()
    while len(text) < words:
        text += rng.choice(others).description.split()
    city, country, lat, lon = rng.choice(CITIES)
    langs = {code: rng.choice(LEVELS) for code in rng.sample(LANGS, rng.randint(1, 3))}
    skills = sorted({w.strip(",.").lower() for w in occ.description.split() if len(w) > 7})[:6]
    return {
        "desired_title": occ.label,
        "cv_text": " ".join(text[:words]),
        "skills": skills,
        "location": {"city": city, "country": country, "lat": lat, "lon": lon},
        "remote": rng.random() < 0.3,
        "languages": langs,
        "years_experience": years,
        "salary_expectation": {"min": 30000 + 1000 * rng.randint(0, 40), "max": 90000, "currency": "EUR"},
    }


def make_cvs(n: int, seed: int = 0, words: int = 300) -> list[dict]:
    rng = random.Random(seed)
    occs = occupations()
    return [{"external_id": f"cv-{seed}-{i}", **make_cv(rng, rng.choice(occs), occs, words)} for i in range(n)]


def make_jobs(n: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    occs = occupations()
    out = []
    for i in range(n):
        occ = rng.choice(occs)
        city, country, lat, lon = rng.choice(CITIES)
        out.append(
            {
                "external_id": f"job-{seed}-{i}",
                "title": occ.label,
                "description": occ.description,
                "location": {"city": city, "country": country, "lat": lat, "lon": lon},
                "languages": {rng.choice(LANGS): rng.choice(LEVELS)},
                "min_years_experience": rng.randint(0, 8),
            }
        )
    return out
