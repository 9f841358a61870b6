"""/docs and /redoc work without internet: every script, style sheet and icon they load is served by
the service itself."""

import re

import pytest


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_api_docs_load_only_local_assets(shared_client, page):
    r = shared_client.get(page)
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", r.text)
    urls += re.findall(r"""url:\s*['"]([^'"]+)['"]""", r.text)  # Swagger UI's spec URL
    assert urls, "the page loads nothing: the check would pass vacuously"
    assert not [u for u in urls if re.match(r"(https?:)?//", u)], f"{page} loads from another host: {urls}"
    assert re.search(r"https?://(?!www\.w3\.org)", r.text) is None, "an absolute URL outside the assets"
    for url in urls:
        assert shared_client.get(url).status_code == 200, url
