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
        claims: Any = None,
        pending: Callable[[], list[str]] | None = None,
        rescan_s: float = 2.0,
    ):
        """Shared by several replicas (`claims.shared`), a delivery is attempted under a lease, its next
        attempt time is kept with the import, and `pending()` is scanned every `rescan_s` for deliveries
        a replica that died left behind."""
        self.load, self.save, self.describe = load, save, describe
        self.claims, self.pending, self.rescan_s = claims, pending, rescan_s
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

    @property
    def _shared(self) -> bool:
        return bool(self.claims is not None and self.claims.shared and self.pending is not None)

    def _rescan(self) -> None:
        """Deliveries pending in the shared state that this replica has not scheduled."""
        assert self.pending is not None
        with self._cond:
            mine = {i for _, i in self._due}
        for import_id in self.pending():
            if import_id not in mine:
                self.schedule(import_id, 0.0)  # _attempt waits for its shared next attempt time

    def _work(self) -> None:
        last_scan = time.monotonic()
        while True:
            with self._cond:
                while not self._stopping and (not self._due or self._due[0][0] > time.monotonic()):
                    wait = None if not self._due else max(0.0, self._due[0][0] - time.monotonic())
                    if self._shared:
                        wait = min(wait if wait is not None else self.rescan_s, self.rescan_s)
                    self._cond.wait(wait)
                    if self._shared and time.monotonic() - last_scan >= self.rescan_s:
                        break
                if self._stopping:
                    return
                popped = heapq.heappop(self._due) if self._due and self._due[0][0] <= time.monotonic() else None
            if popped is None:
                last_scan = time.monotonic()
                try:
                    self._rescan()
                except Exception:
                    log.exception("pending webhook deliveries could not be read")
                continue
            import_id = popped[1]
            try:
                self._attempt(import_id)
            except Exception:  # a broken import state must not stop other deliveries
                log.exception("webhook of import %s could not be attempted", import_id)

    def _attempt(self, import_id: str) -> None:
        if self.claims is None:
            self._deliver(import_id)
            return
        with self.claims.holding(f"webhook:{import_id}") as mine:
            if mine:  # else another replica is delivering it right now
                self._deliver(import_id)

    def _deliver(self, import_id: str) -> None:
        job = self.load(import_id)  # read under the lease: another replica may have delivered it
        hook = job.webhook or {}
        if not job.callback_url or hook.get("status") != PENDING:
            return
        if hook.get("next_at") and hook["next_at"] > time.time():  # a retry's back-off, kept with the import
            self.schedule(job.id, hook["next_at"] - time.time())
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
        delay = self.first_delay_s * 2 ** (hook["attempts"] - 1)
        hook["next_at"] = time.time() + delay if hook["status"] == PENDING else None
        job.webhook = hook
        self.save(job)
        if hook["status"] == PENDING:
            self.schedule(job.id, delay)
