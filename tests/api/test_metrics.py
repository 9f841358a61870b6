"""/metrics speaks Prometheus and counts what it says it counts."""

from prometheus_client.parser import text_string_to_metric_families


def samples(client, **headers):
    r = client.get("/metrics", headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for fam in text_string_to_metric_families(r.text)
        for s in fam.samples
    }


def test_metrics_count_requests_by_route_template_and_show_the_store(client):
    before = samples(client)
    key = (
        "jobmatch_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "/v1/jobs/{job_id}"), ("status", "404")),
    )
    for _ in range(3):
        client.get("/v1/jobs/00000000-0000-0000-0000-000000000000")
    client.post("/v1/candidates", json={"cv_text": "Registered nurse, ICU, eight years."})
    after = samples(client)
    assert after[key] - before.get(key, 0) == 3
    assert after[("jobmatch_records", (("collection", "candidates"),))] >= 1
    assert ("jobmatch_encoder_waiting", (("priority", "interactive"),)) in after
    assert after[("jobmatch_encode_slice_texts_count", (("priority", "interactive"),))] >= 1


def test_metrics_need_the_key_when_keys_are_on(make_client):
    with make_client(api_keys="k1") as c:
        assert c.get("/metrics").status_code == 401
        assert samples(c, Authorization="Bearer k1")
