"""Structured fields read out of a CV or a job ad when the client did not send them.

Only what the text states is extracted: a value that is not in the text is left out, never guessed.
Sections are found by their headings ("## Skills", "SKILLS", "Required experience:"), list items by
their bullets or numbers, periods by date ranges ("2014 - 2019", "Mar 2019 - present").
"""

import re
from dataclasses import dataclass, field

_HEADING = re.compile(r"^\s*(?:#{1,6}\s*)?([A-Za-z][A-Za-z /&'-]{1,40}?)\s*:?\s*$")
_BULLET = re.compile(r"^\s*(?:[-*•·▪●◦]\s*|\d{1,2}[.)]\s+)")
_MONTHS = {
    m: i
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
_MONTH = r"(?:(?P<{0}m>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+|(?P<{0}n>\d{{1,2}})/)?"
_PERIOD = re.compile(
    _MONTH.format("a") + r"(?P<ay>(?:19|20)\d\d)\s*(?:-|–|—|to|until)\s*"
    r"(?:" + _MONTH.format("b") + r"(?P<by>(?:19|20)\d\d)|(?P<now>present|current|now|today|ongoing))",
    re.IGNORECASE,
)
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen".split()
    )
}
_YEARS = re.compile(
    r"(?P<n>\d{1,2}(?:\.\d)?|" + "|".join(_NUMBER_WORDS) + r")\s*\+?\s*-?\s*(?:years?|yrs?)\b", re.IGNORECASE
)
# "." may sit inside a role (".NET Developer", "Sr. Engineer"); a sentence ends at ". " or the line's end
_AS_ROLE = re.compile(
    r"\b(?:as|in the role of|working as)\s+(?:an?\s+|the\s+)?(?P<role>(?:[^,;()\n.]|\.(?!\s|$)|(?<=Sr|Jr|St)\.){3,120})",  # noqa: E501
    re.IGNORECASE,
)
_LEVEL_WORDS = {
    "native": "C2",
    "mother tongue": "C2",
    "bilingual": "C2",
    "fluent": "C1",
    "proficient": "C1",
    "advanced": "C1",
    "upper intermediate": "B2",
    "intermediate": "B1",
    "conversational": "B1",
    "basic": "A2",
    "elementary": "A2",
    "beginner": "A1",
}
LANGUAGES = {
    "english": "en",
    "german": "de",
    "french": "fr",
    "spanish": "es",
    "italian": "it",
    "portuguese": "pt",
    "dutch": "nl",
    "polish": "pl",
    "russian": "ru",
    "ukrainian": "uk",
    "turkish": "tr",
    "arabic": "ar",
    "chinese": "zh",
    "mandarin": "zh",
    "japanese": "ja",
    "korean": "ko",
    "hindi": "hi",
    "swedish": "sv",
    "danish": "da",
    "norwegian": "no",
    "finnish": "fi",
    "czech": "cs",
    "greek": "el",
    "romanian": "ro",
    "hungarian": "hu",
    "bulgarian": "bg",
    "croatian": "hr",
    "serbian": "sr",
    "hebrew": "he",
    "vietnamese": "vi",
}
_LANG = re.compile(
    r"\b(?P<lang>" + "|".join(LANGUAGES) + r")\b[^A-Za-z\n]{0,4}"
    r"(?:\(?\s*(?P<cefr>[ABC][12])\b|(?P<word>" + "|".join(_LEVEL_WORDS) + r"))",
    re.IGNORECASE,
)
_LANG_AFTER = re.compile(
    r"\b(?P<word>" + "|".join(_LEVEL_WORDS) + r")\s+(?:in\s+)?(?P<lang>" + "|".join(LANGUAGES) + r")\b", re.IGNORECASE
)  # "fluent English", "native German speaker"

SKILL_HEADINGS = (
    "skills",
    "required skills",
    "key skills",
    "technical skills",
    "core skills",
    "competencies",
    "core competencies",
    "skills and competencies",
    "requirements",
    "qualifications",
    "tools",
)
EXPERIENCE_HEADINGS = (
    "experience",
    "work experience",
    "professional experience",
    "employment history",
    "employment",
    "work history",
    "career history",
    "required experience",
    "experience requirements",
)
LANGUAGE_HEADINGS = ("languages", "language skills", "language")


@dataclass
class Role:
    """A job title held (or required), with its years (None when the text gives none). `context` is the
    text around the title on its line (company, specialty), which role matching may use."""

    title: str
    years: float | None = None
    context: str = ""


@dataclass
class Extracted:
    """What a CV or job ad states; empty fields mean the text does not say."""

    skills: list[str] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    years_experience: float | None = None
    languages: dict[str, str] = field(default_factory=dict)

    def as_payload(self) -> dict:
        out: dict = {}
        if self.skills:
            out["skills"] = self.skills
        if self.roles:
            out["roles"] = [
                {"title": r.title, "years": r.years, **({"context": r.context} if r.context else {})}
                for r in self.roles
            ]
        if self.years_experience is not None:
            out["years_experience"] = self.years_experience
        if self.languages:
            out["languages"] = self.languages
        return out


def sections(text: str) -> dict[str, list[str]]:
    """Lines under each heading (lower-cased heading; "" for lines before the first one)."""
    out: dict[str, list[str]] = {"": []}
    current = ""
    for line in text.splitlines():
        m = _HEADING.match(line)
        colon = line.rstrip().endswith(":") and len(line.split()) <= 4  # "Following job is kept off:" is prose
        is_heading = m and (
            line.lstrip().startswith("#")
            or colon
            or line.strip().isupper()
            or m.group(1).strip().lower() in (*SKILL_HEADINGS, *EXPERIENCE_HEADINGS, *LANGUAGE_HEADINGS)
        )
        if is_heading and m:
            current = m.group(1).strip().lower()
            out.setdefault(current, [])
        elif line.strip():
            out[current].append(line.strip())
    return out


def _section(secs: dict[str, list[str]], names: tuple[str, ...]) -> list[str]:
    return [line for name in names for line in secs.get(name, [])]


def list_items(lines: list[str]) -> list[str]:
    """Bulleted or numbered items; a short unbulleted line of commas is several items."""
    items = []
    for line in lines:
        body = _BULLET.sub("", line).strip()
        if not body:
            continue
        parts = [p.strip(" .") for p in body.split(",") if p.strip(" .")]
        short = all(len(p.split()) <= 3 for p in parts)  # "Spring Boot, Kafka", not a sentence with commas
        if "," in body and len(body) < 300 and ":" not in body and (short or not _BULLET.match(line)):
            items.extend(parts)
        else:
            items.append(body)
    return items


def skill_name(item: str) -> str:
    """ "Networking: TCP/IP and LAN" -> "Networking"; a sentence without such a name stays whole."""
    head, sep, _ = item.partition(":")
    if sep and 0 < len(head.split()) <= 6:
        return head.strip(" .*")
    return item.strip(" .*")[:200]


def _to_years(year: str, month: str | None, number: str | None, end: bool) -> float:
    m = _MONTHS.get((month or "")[:3].lower()) or (int(number) if number and 1 <= int(number) <= 12 else None)
    if m is None:  # a bare year: the whole year for an end, its start for a beginning
        return int(year) + (1.0 if end else 0.0)
    return int(year) + (m - 1 + (1 if end else 0)) / 12


_YEAR = re.compile(r"(?:19|20)\d\d")


def periods(text: str, today: float) -> list[tuple[float, float]]:
    """(start, end) of every date range in the text, in fractional years; `today` stands for "present"."""
    out: list[tuple[float, float]] = []
    if not _YEAR.search(text):  # the full pattern is slow to fail: most lines hold no year at all
        return out
    for m in _PERIOD.finditer(text):
        start = _to_years(m["ay"], m["am"], m["an"], end=False)
        end = today if m["now"] else _to_years(m["by"], m["bm"], m["bn"], end=True)  # "to 02/2019": all of February
        if m["by"] and not m["bm"] and not m["bn"]:
            end = int(m["by"])  # "2014 - 2019": five years, the way people count them
        if end >= start:
            out.append((start, end))
    return out


def union_years(spans: list[tuple[float, float]]) -> float:
    """Years covered by the spans, overlaps counted once."""
    total, last_end = 0.0, None
    for start, end in sorted(spans):
        if last_end is not None and start < last_end:
            start = last_end
        if end > start:
            total += end - start
            last_end = end if last_end is None else max(last_end, end)
    return round(total, 2)


def _title_of(line: str, period: re.Match) -> str:
    """The job title on an experience line: what precedes the period, minus brackets, company and dashes."""
    head = line[: period.start()].strip(" (–—-,|:")
    head = _BULLET.sub("", head)
    head = re.split(r"\s+(?:at|@)\s+|\s[-–—|]\s|,\s", head)[0]
    head = re.sub(
        r"^(?:worked|employed|performed|served|working)\s+as\s+(?:an?\s+|the\s+)?",
        "",
        head.strip(),
        flags=re.IGNORECASE,
    )
    head = re.sub(r"\s+(?:from|since|between)(?:\s+the\s+year)?$", "", head, flags=re.IGNORECASE)
    return head.strip(" (–—-,|:.")[:200]


def roles_held(lines: list[str], today: float) -> list[Role]:
    out = []
    for line in lines:
        if not _YEAR.search(line):
            continue
        for m in _PERIOD.finditer(line):
            spans = periods(m.group(0), today)
            title = _title_of(line, m)
            if title and spans:
                context = _BULLET.sub("", line[: m.start()]).strip(" (–—-,|:{[")[:200]
                out.append(Role(title, round(spans[0][1] - spans[0][0], 2), context if context != title else ""))
            break
    return out


def years_stated(text: str) -> float | None:
    m = _YEARS.search(text)
    if not m:
        return None
    n = m["n"].lower()
    return float(_NUMBER_WORDS[n]) if n in _NUMBER_WORDS else float(n)


def required_roles(lines: list[str]) -> list[Role]:
    """ "At least 4 years working as a Systems Admin" -> Role("Systems Admin", 4)."""
    out = []
    for line in lines:
        # one line may hold several requirements: "4 years as A, 5 years in B, and 3 years as C"
        for clause in re.split(r",\s*(?:and\s+)?(?=[^,]*\b(?:years?|yrs?)\b)|;\s*|\.\s+", _BULLET.sub("", line)):
            years = years_stated(clause.replace("-year", " year"))
            role = _AS_ROLE.search(clause)
            if role and years is not None:
                title = re.sub(r"\s+(?:for|with|in a role)\b.*$", "", role["role"], flags=re.IGNORECASE)
                out.append(Role(title.strip(" ."), years))
    return out


def languages(text: str, secs: dict[str, list[str]]) -> dict[str, str]:
    """Languages with a level the text states (CEFR code or a level word); the highest level wins."""
    out: dict[str, str] = {}
    lower = text.lower()
    if not any(name in lower for name in LANGUAGES):
        return out
    for m in [*_LANG.finditer(text), *_LANG_AFTER.finditer(text)]:
        level = ((m.groupdict().get("cefr") or "") or _LEVEL_WORDS.get((m["word"] or "").lower(), "")).upper()
        code = LANGUAGES[m["lang"].lower()]
        if level and level > out.get(code, ""):
            out[code] = level
    return out


def extract_cv(text: str, today: float) -> Extracted:
    secs = sections(text)
    skills = _unique(skill_name(i) for i in list_items(_section(secs, SKILL_HEADINGS)))
    exp_lines = _section(secs, EXPERIENCE_HEADINGS) or [line for lines in secs.values() for line in lines]
    roles = roles_held(exp_lines, today)
    spans = [s for line in exp_lines for s in periods(line, today)]
    years = union_years(spans) if spans else None
    return Extracted(skills, roles, years, languages(text, secs))


def extract_job(text: str) -> Extracted:
    secs = sections(text)
    skills = _unique(skill_name(i) for i in list_items(_section(secs, SKILL_HEADINGS)))
    exp = _section(secs, EXPERIENCE_HEADINGS)
    roles = required_roles(exp)
    stated = [y for y in (years_stated(line.replace("-year", " year")) for line in exp) if y is not None]
    return Extracted(skills, roles, max(stated) if stated else None, languages(text, secs))


def _unique(items) -> list[str]:
    seen, out = set(), []
    for item in items:
        key = item.lower()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out[:100]
