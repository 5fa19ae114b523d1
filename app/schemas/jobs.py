from __future__ import annotations

from datetime import datetime

from app.schemas.common import Schema


class JobOut(Schema):
    id: int
    kind: str
    claim_id: int | None
    payload: dict
    status: str
    phase: str | None
    progress: float
    executor: str
    error: str | None
    result: dict | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    attempts: int = 0
    dedupe_key: str | None = None
    created_by: int | None = None  # the API token that queued it
