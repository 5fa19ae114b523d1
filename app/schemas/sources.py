from __future__ import annotations

from datetime import datetime

from app.schemas.common import Schema


class SourceOut(Schema):
    id: int
    key: str
    arxiv_id: str
    version: int | None
    title: str | None
    status: str
    error: str | None
    latest_version: int | None
    passage_count: int
    fetched_at: datetime | None
