"""Webhooks: when an import ends, its `callback_url` is told, signed, and retried with back-off.

The body is JSON: `{"event": "import.finished", "import": {...the import as GET /v1/imports/{id}
shows it...}}`. With a secret set (JOBMATCH_WEBHOOK_SECRET), the request carries
`X-Jobmatch-Timestamp: <unix seconds>` and `X-Jobmatch-Signature: sha256=<hex>`, the HMAC-SHA256 of
`<timestamp>.<body>` with the secret: a receiver recomputes it and refuses an old timestamp, so a
captured delivery cannot be replayed later. Any 2xx answer is a delivery; anything else (or no answer
within the timeout) is retried after 1, 2, 4, ... times the first delay, up to the number of
attempts. The delivery state is kept with the import (`webhook` in its JSON), so a restart resumes
deliveries that were still pending.
"""

import hashlib
import heapq
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

log = logging.getLogger(__name__)

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class WebhookSender:
    """One thread sends due deliveries, oldest due first; `load` and `save` read and write the import."""

    def __init__(
        self,
        load: Callable[[str], Any],
        save: Callable[[Any], None],
        describe: Callable[[Any], dict],
        secret: str | None,
        attempts: int = 6,
        first_delay_s: float = 2.0,
        timeout_s: float = 10.0,
    ):
        self.load, self.save, self.describe = load, save, describe
        self.secret, self.attempts, self.first_delay_s, self.timeout_s = secret, attempts, first_delay_s, timeout_s
        self._due: list[tuple[float, str]] = []
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self, pending_ids: list[str]) -> None:
        for import_id in pending_ids:
            self.schedule(import_id, 0.0)
        self._thread = threading.Thread(target=self._work, name="webhooks", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread:
            self._thread.join(timeout)

    def schedule(self, import_id: str, delay_s: float) -> None:
        with self._cond:
            heapq.heappush(self._due, (time.monotonic() + delay_s, import_id))
            self._cond.notify_all()

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and (not self._due or self._due[0][0] > time.monotonic()):
                    self._cond.wait(None if not self._due else max(0.0, self._due[0][0] - time.monotonic()))
                if self._stopping:
                    return
                _, import_id = heapq.heappop(self._due)
            try:
                self._attempt(import_id)
            except Exception:  # a broken import state must not stop other deliveries
                log.exception("webhook of import %s could not be attempted", import_id)

    def _attempt(self, import_id: str) -> None:
        job = self.load(import_id)
        hook = job.webhook or {}
        if not job.callback_url or hook.get("status") != PENDING:
            return
        body = json.dumps({"event": "import.finished", "import": self.describe(job)}).encode()
        headers = {"content-type": "application/json", "user-agent": "jobmatch-webhook"}
        if self.secret:
            stamp = str(int(time.time()))
            headers |= {"x-jobmatch-timestamp": stamp, "x-jobmatch-signature": signature(self.secret, stamp, body)}
        hook["attempts"] = hook.get("attempts", 0) + 1
        try:
            r = httpx.post(job.callback_url, content=body, headers=headers, timeout=self.timeout_s)
            ok, hook["last_status"] = r.is_success, r.status_code
            hook["last_error"] = None if ok else f"answered {r.status_code}"
        except httpx.HTTPError as exc:
            ok, hook["last_status"], hook["last_error"] = False, None, f"{type(exc).__name__}: {exc}"[:300]
        if ok:
            hook["status"], hook["delivered_at"] = DELIVERED, time.time()
        elif hook["attempts"] >= self.attempts:
            hook["status"] = FAILED
            log.warning(
                "webhook of import %s failed after %d attempts: %s", job.id, hook["attempts"], hook["last_error"]
            )
        job.webhook = hook
        self.save(job)
        if hook["status"] == PENDING:
            self.schedule(job.id, self.first_delay_s * 2 ** (hook["attempts"] - 1))
