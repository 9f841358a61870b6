"""Match filters -> the store's neutral filter tree. Pure functions."""

from app.domain import Filters
from app.matching.payload import country_language_tokens, flag, norm_skill
from app.store.conditions import Filter, GeoRadius, Match, MatchAny, Range


def build_filter(f: Filters | None, combined: bool = False) -> Filter:
    """Every given filter must hold (AND); an empty `Filters` gives an empty (always-true) filter.

    With `combined` (every searched point carries `f_country_lang`), a country and a language level are
    one condition on the combined keyword: the engine then walks only the points that pass both."""
    out = Filter()
    if f is None:
        return out
    must = out.must
    languages = sorted(f.languages.items())
    if f.city:
        must.append(Match("f_city", f.city.strip().lower()))
    if f.country and languages and combined:
        code, level = languages.pop(0)
        (token,) = country_language_tokens(f.country.strip().upper(), [f"{code.lower()}:{level}"])
        must.append(Match("f_country_lang", token))
    elif f.country:
        must.append(Match("f_country", f.country.strip().upper()))
    if f.lat is not None and f.lon is not None and f.radius_km is not None:
        must.append(GeoRadius("f_geo", f.lat, f.lon, f.radius_km * 1000.0))
    if f.remote is not None:
        must.append(Match("f_remote", flag(f.remote)))
    for code, level in languages:
        # a stored C2 speaker carries the token "de:C1" too, so "at least C1" is one match
        must.append(Match("f_lang", f"{code.lower()}:{level}"))
    if f.years_gte is not None or f.years_lte is not None:
        must.append(Range("f_years", gte=f.years_gte, lte=f.years_lte))
    for skill in f.skills_all:
        must.append(Match("f_skills", norm_skill(skill)))
    if f.skills_any:
        must.append(MatchAny("f_skills", tuple(sorted({norm_skill(s) for s in f.skills_any}))))
    # salary ranges overlap when each starts before the other ends
    if f.salary_max is not None:
        must.append(Range("f_salary_min", lte=f.salary_max))
    if f.salary_min is not None:
        must.append(Range("f_salary_max", gte=f.salary_min))
    if f.occupation_ids:
        must.append(MatchAny("f_occupations", tuple(sorted(set(f.occupation_ids)))))
    if f.salary_currency:
        must.append(Match("f_currency", f.salary_currency.upper()))
    return out


def match_filter(f: Filters | None, tenant: str, model_id: str, combined: bool = False) -> Filter:
    """What a match searches under: the request's filters, within its tenant (never another tenant's
    records), among vectors of the served model (another model's live in another space). `combined`:
    see `build_filter` (false while records stored before the combined field lack it)."""
    out = build_filter(f, combined)
    out.must.append(Match("tenant", tenant))
    out.must.append(Match("model", model_id))
    return out
