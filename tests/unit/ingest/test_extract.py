"""Structured fields read out of CVs and job ads in varied, real-looking layouts; nothing invented."""

import pytest

from app.ingest.extract import extract_cv, extract_job, periods, sections, union_years

TODAY = 2026.9  # "present" in these tests: November 2026

MARKDOWN_CV = """## Personal Information
Name: Azaria Watson

## Skills
1. Analysis
2. Customer Service
3. Networking: TCP/IP, LAN/WAN

## Experience
1. Junior Systems Admin/Engineer (2019 - 2023)
2. SOC Security Analyst - SecureWorks Providence (2014 - 2019)
"""

PLAIN_CV = """JANE DOE
jane@example.com | +49 170 1234567

PROFESSIONAL EXPERIENCE
Senior Backend Engineer, Acme GmbH, Berlin        Mar 2019 - present
Backend Developer at Foo AG                        01/2016 – 02/2019
Working student, Bar KG                            2015 - 2016

SKILLS
Python, Go, PostgreSQL, Kubernetes

LANGUAGES
German (native), English C1, French - basic
"""

PROSE_CV = "I have worked with Python for a while and like hiking. References on request."


def test_markdown_cv():
    e = extract_cv(MARKDOWN_CV, TODAY)
    assert e.skills == ["Analysis", "Customer Service", "Networking"]
    assert [(r.title, r.years) for r in e.roles] == [
        ("Junior Systems Admin/Engineer", 4.0),
        ("SOC Security Analyst", 5.0),
    ]
    assert e.years_experience == 9.0 and e.languages == {}


def test_plain_cv_with_months_present_and_languages():
    e = extract_cv(PLAIN_CV, TODAY)
    assert e.skills == ["Python", "Go", "PostgreSQL", "Kubernetes"]
    assert [r.title for r in e.roles] == ["Senior Backend Engineer", "Backend Developer", "Working student"]
    assert e.roles[0].years == pytest.approx(TODAY - (2019 + 2 / 12), abs=0.01)
    assert e.roles[1].years == pytest.approx(3 + 2 / 12, abs=0.01)  # January 2016 through February 2019
    # 2015-2016, then Jan 2016 to present with the overlap counted once
    assert e.years_experience == pytest.approx(TODAY - 2015, abs=0.01)
    assert e.languages == {"de": "C2", "en": "C1", "fr": "A2"}


def test_a_cv_without_structure_yields_nothing_invented():
    e = extract_cv(PROSE_CV, TODAY)
    assert (e.skills, e.roles, e.years_experience, e.languages) == ([], [], None, {})
    assert e.as_payload() == {}


def test_job_requirements_one_per_line_and_several_in_one_sentence():
    job = """## Job Title
.Net Application Developer

## Required Skills
- Competency in C#, JavaScript, and jQuery: essential for our .NET applications.
- Expertise in debugging and problem-solving.

## Required Experience
- 2 years as a .NET Application Developer.
- 1-year as lodging manager
4 years of experience serving as a Director - Quality Engineering, 5 years managing reporting in SAP, and 3 years as a Post-Sales Lead.
"""
    e = extract_job(job)
    assert e.skills == ["Competency in C#, JavaScript, and jQuery", "Expertise in debugging and problem-solving"]
    assert [(r.title, r.years) for r in e.roles] == [
        ("NET Application Developer", 2.0),
        ("lodging manager", 1.0),
        ("Director - Quality Engineering", 4.0),
        ("Post-Sales Lead", 3.0),
    ]
    assert e.years_experience == 4.0


def test_job_with_plain_requirements():
    job = "Requirements:\n- 5+ years of experience in Java\n- Spring Boot, Kafka\nFluent English required."
    e = extract_job(job)
    assert e.skills == ["5+ years of experience in Java", "Spring Boot", "Kafka", "Fluent English required"]
    assert e.years_experience is None and e.roles == []  # "Requirements" is no experience section
    assert e.languages == {"en": "C1"}


def test_prose_lines_ending_in_a_colon_are_not_headings():
    secs = sections("## Experience\nFollowing job is kept off the records:\n- Nurse (2019 - 2021)")
    assert secs["experience"] == ["Following job is kept off the records:", "- Nurse (2019 - 2021)"]


def test_periods_and_their_union():
    assert periods("2014 - 2019", TODAY) == [(2014, 2019)]
    assert periods("Sept 2020 to Present", TODAY) == [(2020 + 8 / 12, TODAY)]
    assert periods("2019 - 2014", TODAY) == []  # reversed: not a period
    assert union_years([(2010, 2015), (2012, 2016), (2018, 2019)]) == 7.0
