"""When an import ends, its callback_url is told: signed, retried with back-off, its delivery shown on
the import. The receivers are real HTTP servers on loopback."""

import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

SECRET = "s3cret"
ROWS = b'{"external_id": "w1", "cv_text": "Welder, ten years."}\n{"external_id": "w2", "name": "no text"}\n'


class Receiver:
    """Answers `fail_first` requests with 500, then 204; records every request."""

    def __init__(self, fail_first: int = 0):
        self.requests, self.fail_first = [], fail_first
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(500 if len(outer.requests) <= outer.fail_first else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/imports"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def ended(client, import_id, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = client.get(f"/v1/imports/{import_id}").json()
        if job.get("webhook") and job["webhook"]["status"] != "pending":
            return job
        time.sleep(0.05)
    raise AssertionError(f"webhook still pending: {job}")


def start(client, **form):
    r = client.post("/v1/imports", files={"file": ("people.ndjson", ROWS)}, data=form)
    assert r.status_code == 202, r.text
    return r.json()


def test_a_finished_import_is_told_signed_after_retries(make_client):
    rx = Receiver(fail_first=2)
    try:
        with make_client(webhook_secret=SECRET, webhook_first_delay_s=0.05) as c:
            job = ended(c, start(c, callback_url=rx.url)["id"])
    finally:
        rx.close()
    assert job["webhook"]["status"] == "delivered" and job["webhook"]["attempts"] == 3
    assert job["webhook"]["last_status"] == 204 and job["webhook"]["delivered_at"]
    headers, body = rx.requests[-1]
    stamp = headers["x-jobmatch-timestamp"]
    expected = "sha256=" + hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-jobmatch-signature"], expected)
    event = json.loads(body)
    assert event["event"] == "import.finished"
    assert event["import"]["id"] == job["id"] and event["import"]["status"] == "done"
    assert (event["import"]["stored"], event["import"]["failed"]) == (1, 1)


def test_an_unreachable_receiver_ends_failed_and_says_why(make_client):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with make_client(
        webhook_attempts=2, webhook_first_delay_s=0.05, import_callback_url=f"http://127.0.0.1:{port}/x"
    ) as c:
        job = ended(c, start(c)["id"])
    assert job["webhook"]["status"] == "failed" and job["webhook"]["attempts"] == 2
    assert "Connect" in job["webhook"]["last_error"]


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "not a url"])
def test_a_callback_url_must_be_http(client, url):
    r = client.post("/v1/imports", files={"file": ("people.ndjson", ROWS)}, data={"callback_url": url})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "callback_url"
