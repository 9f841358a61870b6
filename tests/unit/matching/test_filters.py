from app.domain import Filters, Kind
from app.matching.filters import build_filter
from app.matching.payload import country_language_tokens, filter_fields, language_tokens
from app.store.conditions import GeoRadius, Match, MatchAny, Range


def test_language_tokens_cover_every_level_up_to_the_stated_one():
    assert language_tokens({"de": "B1"}) == ["de:A1", "de:A2", "de:B1"]
    assert "en:C1" in language_tokens({"en": "C2"})
    assert "en:C1" not in language_tokens({"en": "B2"})


def test_filter_fields_normalise_and_use_each_sides_own_fields():
    job = {
        "title": "x",
        "location": {"city": " Berlin ", "country": "de", "lat": 1.0, "lon": 2.0},
        "skills": ["Python", "python ", "SQL"],
        "min_years_experience": 3,
        "remote": True,
        "salary": {"min": 10, "max": None, "currency": "eur"},
    }
    f = filter_fields(Kind.JOB, job)
    assert f["f_city"] == "berlin" and f["f_country"] == "DE" and f["f_geo"] == {"lat": 1.0, "lon": 2.0}
    assert f["f_skills"] == ["python", "sql"] and f["f_years"] == 3.0 and f["f_remote"] == "true"
    assert (f["f_salary_min"], f["f_salary_max"], f["f_currency"]) == (10.0, 10.0, "EUR")
    cand = filter_fields(Kind.CANDIDATE, {"years_experience": 5, "salary_expectation": {"max": 9}})
    assert cand["f_years"] == 5.0 and (cand["f_salary_min"], cand["f_salary_max"]) == (9.0, 9.0)
    assert "f_city" not in cand and cand["f_remote"] == "false"


def test_empty_filters_give_an_empty_filter():
    assert not build_filter(None)
    assert not build_filter(Filters())


def test_build_filter_translates_every_field():
    f = build_filter(
        Filters(
            city="Berlin",
            country="de",
            lat=1,
            lon=2,
            radius_km=5,
            remote=False,
            languages={"de": "C1"},
            years_gte=2,
            years_lte=6,
            skills_all=["Python"],
            skills_any=["SQL", "Go"],
            salary_min=50,
            salary_max=70,
            salary_currency="eur",
        )
    )
    assert Match("f_city", "berlin") in f.must and Match("f_country", "DE") in f.must
    assert GeoRadius("f_geo", 1, 2, 5000.0) in f.must and Match("f_remote", "false") in f.must
    assert Match("f_lang", "de:C1") in f.must and Range("f_years", gte=2, lte=6) in f.must
    assert Match("f_skills", "python") in f.must and MatchAny("f_skills", ("go", "sql")) in f.must
    # overlap: the target's range starts before 70 and ends after 50
    assert Range("f_salary_min", lte=70) in f.must and Range("f_salary_max", gte=50) in f.must
    assert Match("f_currency", "EUR") in f.must


def test_language_filter_matches_higher_levels_through_tokens():
    wanted = build_filter(Filters(languages={"de": "C1"})).must[0]
    assert wanted.value in language_tokens({"de": "C2"})
    assert wanted.value not in language_tokens({"de": "B2"})


def test_country_and_language_levels_are_one_combined_keyword():
    fields = filter_fields(Kind.CANDIDATE, {"location": {"country": "de"}, "languages": {"en": "B1", "fr": "A1"}})
    assert fields["f_country_lang"] == ["DE|en:A1", "DE|en:A2", "DE|en:B1", "DE|fr:A1"]
    assert country_language_tokens("DE", fields["f_lang"]) == fields["f_country_lang"]
    # without a country (or without languages) there is nothing to combine
    assert "f_country_lang" not in filter_fields(Kind.CANDIDATE, {"languages": {"en": "B1"}})
    assert "f_country_lang" not in filter_fields(Kind.CANDIDATE, {"location": {"country": "DE"}})


def test_combined_filter_replaces_the_country_and_the_first_language_only():
    f = Filters(country=" de ", languages={"fr": "B2", "en": "C1"})
    combined = build_filter(f, combined=True)
    assert combined.must == [Match("f_country_lang", "DE|en:C1"), Match("f_lang", "fr:B2")]
    stored = filter_fields(Kind.CANDIDATE, {"location": {"country": "DE"}, "languages": {"en": "C2"}})
    assert combined.must[0].value in stored["f_country_lang"]  # a C2 speaker in Germany passes "at least C1"
    # until every stored point carries the field, the two conditions stay apart
    assert build_filter(f).must == [Match("f_country", "DE"), Match("f_lang", "en:C1"), Match("f_lang", "fr:B2")]
    assert build_filter(Filters(country="DE"), combined=True).must == [Match("f_country", "DE")]
    assert build_filter(Filters(languages={"en": "B1"}), combined=True).must == [Match("f_lang", "en:B1")]
