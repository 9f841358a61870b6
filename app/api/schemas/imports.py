"""Background file imports."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.api.schemas.common import Page


class ImportOut(BaseModel):
    id: str
    filename: str
    format: Literal["ndjson", "csv", "json", "zip"]
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    total: int | None = Field(None, description="Records in the file; known once the import starts.")
    processed: int = Field(description="Records handled so far (stored or rejected), in file order.")
    stored: int = Field(description="Records stored as candidates.")
    failed: int = Field(description="Records rejected; see /v1/imports/{id}/errors.")
    rate_per_s: float | None = Field(None, description="Records per second in the current run.")
    eta_s: float | None = Field(None, description="Seconds left at the current rate.")
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    restarts: int = Field(0, description="Times the import resumed after the service restarted.")
    message: str | None = Field(None, description="Why the import failed, when it did.")
    callback_url: str | None = Field(None, description="Told (POST, signed) when the import ends.")
    webhook: "WebhookOut | None" = Field(None, description="The delivery to callback_url, once the import ended.")


class WebhookOut(BaseModel):
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status: int | None = Field(None, description="HTTP status of the last attempt's answer.")
    last_error: str | None = None
    delivered_at: datetime | None = None


class ImportPage(Page[ImportOut]):
    pass


class ImportRowError(BaseModel):
    row: int = Field(description="NDJSON line, CSV spreadsheet row (header = 1), JSON array position or ZIP entry.")
    external_id: str | None = None
    message: str


class ImportErrorPage(Page[ImportRowError]):
    pass
