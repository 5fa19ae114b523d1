from __future__ import annotations

from app.schemas.common import Schema
from app.schemas.replications import ReplicationOut
from app.schemas.verification import ClaimStatusOut


class MentionOut(Schema):
    report_id: int
    report_title: str
    position: int
    line: int
    stated_verified: bool
    stated_confidence: float
    verdict: str | None = None
    confidence: float | None = None


class ClaimSummary(Schema):
    id: int
    text: str
    truncated: bool
    completed_text: str | None
    group_id: int | None
    mention_count: int
    status: ClaimStatusOut


class ClaimDetail(ClaimSummary):
    mentions: list[MentionOut]
    replications: list[ReplicationOut] = []  # the newest REPLICATIONS_SHOWN, newest first
    replications_total: int = 0  # all of them: page with GET /api/claims/{id}/replications
    latest_replication: ReplicationOut | None = None  # the newest one with a verdict
