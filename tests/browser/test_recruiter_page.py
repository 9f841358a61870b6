"""The recruiter page at /ui, end to end in real Chromium against a real service: key entry, an import
followed to its end, a vacancy created, ranked candidates with confidence and breakdown, filters, and an
exclusion rule whose removals are shown."""

import re
from pathlib import Path

import httpx

KEY = "ui-test-key"
PEOPLE = Path(__file__).parents[2] / "examples" / "people.ndjson"  # the README's sample: 4 people, 1 bad row
TIMEOUT = 90_000  # ms; an import of the sample encodes four CVs on a 2-core machine


def api(service: str, method: str, path: str, **kw) -> httpx.Response:
    return httpx.request(method, service + path, headers={"Authorization": f"Bearer {KEY}"}, timeout=30, **kw)


def test_recruiter_flow(browser, service, shoot):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{service}/ui")
    # without the key the page says what the API said, in the service's own words
    page.wait_for_selector("#notice:not([hidden])")
    assert "Missing API key" in page.text_content("#notice")

    page.fill("#api-key", KEY)
    page.click("#key-form button")
    page.wait_for_selector("#key-state:has-text('key set')")
    assert page.is_hidden("#notice")

    # upload the sample file and watch the import end, with its bad row reported
    page.set_input_files("#import-file", str(PEOPLE))
    page.click("#import-form button")
    page.wait_for_selector("#import-status[data-status='done']", timeout=TIMEOUT)
    assert re.search(r"5/5 read, 4 stored, 1 rejected", page.text_content("#import-text"))
    page.wait_for_selector("#import-errors li")
    assert "row 5 (C-105)" in page.text_content("#import-errors")
    assert api(service, "GET", "/v1/candidates").json()["total"] == 4

    # create a vacancy; it becomes the selected one
    page.click("#job-new summary")
    page.fill("#job-form [name=title]", "Python Backend Developer")
    page.fill("#job-form [name=description]", "Build REST APIs with FastAPI and PostgreSQL; Docker; code reviews.")
    page.fill("#job-form [name=skills]", "Python, FastAPI, Kubernetes")
    page.fill("#job-form [name=country]", "de")
    page.fill("#job-form [name=external_id]", "J-UI-1")
    page.click("#job-form button")
    page.wait_for_selector("#notice.ok")
    job = api(service, "GET", "/v1/jobs", params={"external_id": "J-UI-1"}).json()["items"][0]
    assert page.input_value("#job-select") == job["id"] and job["location"]["country"] == "DE"

    # ranked candidates: the backend engineer first, each row with score, confidence, breakdown, skills
    page.click("#match-button")
    page.wait_for_selector("#results-table:not([hidden]) tbody tr")
    rows = page.query_selector_all("#results-table tbody tr")
    expected = api(service, "POST", f"/v1/jobs/{job['id']}/matches", json={"limit": 20}).json()["matches"]
    assert [r.get_attribute("data-id") for r in rows] == [m["id"] for m in expected]
    first = rows[0]
    assert "Jonas Weber" in first.text_content()
    assert first.query_selector(".confidence").text_content() == f"{round(expected[0]['confidence'] * 100)}%"
    assert len(first.query_selector_all(".crit .bar")) == len(expected[0]["explanation"]["breakdown"]) > 1
    assert [s.text_content() for s in first.query_selector_all(".skill.ok")] == expected[0]["explanation"][
        "matched_skills"
    ]
    assert "Kubernetes" in [s.text_content() for s in first.query_selector_all(".skill.missing")]
    assert "passing the filters" in page.text_content("#results-summary")
    shoot(page, "ui-ranked-candidates")

    # filters narrow the list to what the API returns for the same filter
    page.fill("#filter-form [name=city]", "Berlin")
    page.click("#match-button")
    page.wait_for_function("document.querySelectorAll('#results-table tbody tr').length === 1")
    assert "Jonas Weber" in page.text_content("#results-table tbody")
    page.fill("#filter-form [name=city]", "")

    # blind: names leave the page
    page.check("#filter-form [name=blind]")
    page.click("#match-button")
    page.wait_for_function("!document.querySelector('#results-table tbody').textContent.includes('Jonas')")
    page.uncheck("#filter-form [name=blind]")

    # an exclusion rule: for backend vacancies, drop data engineers; the page lists whom it removed
    amira = api(service, "GET", "/v1/candidates", params={"external_id": "C-102"}).json()["items"][0]
    page.fill("#rule-form [name=if_near]", "Python Backend Developer")
    page.fill("#rule-form [name=exclude_near]", amira["desired_title"])
    page.fill("#rule-form [name=note]", "data engineers are hired by another team")
    page.click("#rule-form button")
    page.wait_for_selector("#rule-list li")
    page.click("#match-button")
    page.wait_for_selector("#rules-applied:not([hidden]) li")
    assert page.get_attribute("#rules-applied li", "data-id") == amira["id"]
    assert "Amira Haddad" in page.text_content("#rules-applied")
    ids = [r.get_attribute("data-id") for r in page.query_selector_all("#results-table tbody tr")]
    assert amira["id"] not in ids and ids
    shoot(page, "ui-exclusion-rule")

    # the key is kept for the browser session: a reload lists the vacancy without asking again
    page.reload()
    page.wait_for_selector(f"#job-select option[value='{job['id']}']", state="attached")
    assert page.is_hidden("#notice")
    page.close()


def test_page_loads_nothing_from_outside(browser, service):
    """Every request the page makes goes to the service itself: it works without internet."""
    page = browser.new_page()
    hosts = []
    page.on("request", lambda r: hosts.append(httpx.URL(r.url).host))
    page.goto(f"{service}/ui/")
    page.wait_for_load_state("networkidle")
    assert hosts and set(hosts) == {"127.0.0.1"}
    assert page.title() == "jobmatch · recruiter"
    page.close()
