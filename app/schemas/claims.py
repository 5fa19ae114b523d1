from __future__ import annotations

from app.schemas.common import Schema


class MentionOut(Schema):
    report_id: int
    report_title: str
    position: int
    line: int
    stated_verified: bool
    stated_confidence: float


class ClaimSummary(Schema):
    id: int
    text: str
    truncated: bool
    completed_text: str | None
    group_id: int | None
    mention_count: int


class ClaimDetail(ClaimSummary):
    mentions: list[MentionOut]
