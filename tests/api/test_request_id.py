"""Every answer carries an X-Request-ID (the client's, when sane), and the log lines of that request
name it."""

import json
import logging

from app.api.request_id import JsonFormatter, RequestIdFilter


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def test_the_clients_id_is_kept_and_named_in_the_requests_log_lines(shared_client):
    handler, app_log = Collect(), logging.getLogger("app")
    app_log.addHandler(handler)
    level = app_log.level
    app_log.setLevel(logging.INFO)  # setLevel, not .level: it clears the loggers' isEnabledFor cache
    for name in ("app", "app.http"):  # another test may have run a dictConfig that disables loggers
        logging.getLogger(name).disabled = False
    try:
        r = shared_client.post(
            "/v1/candidates",
            json={"cv_text": "Welder", "metadata": {"a": [[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}},
            headers={"X-Request-ID": "ticket-4711"},
        )
    finally:
        app_log.removeHandler(handler)
        app_log.setLevel(level)
    assert r.status_code == 422 and r.headers["x-request-id"] == "ticket-4711"
    ids = {rec.request_id for rec in handler.records if rec.name.startswith("app")}
    assert ids == {"ticket-4711"}, [(rec.name, rec.getMessage()) for rec in handler.records]
    assert any("POST /v1/candidates 422" in rec.getMessage() for rec in handler.records)
    line = json.loads(JsonFormatter().format(handler.records[0]))
    assert line["request_id"] == "ticket-4711" and line["message"]


def test_an_id_is_made_when_none_or_a_hostile_one_is_sent(shared_client):
    a, b = (
        shared_client.get("/health"),
        shared_client.get("/health", headers={"X-Request-ID": "two words " + "y" * 300}),
    )
    assert len(a.headers["x-request-id"]) == 32 and len(b.headers["x-request-id"]) == 32
    assert a.headers["x-request-id"] != b.headers["x-request-id"]
    assert shared_client.get("/v1/nothing").headers["x-request-id"]
