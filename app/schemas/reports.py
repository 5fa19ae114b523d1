from __future__ import annotations

from datetime import date, datetime

from app.schemas.common import Schema


class StatedFigures(Schema):
    papers_retrieved: int | None
    claims_extracted: int | None
    claims_verified: int | None
    quality_score: float | None


class ReportSummary(Schema):
    id: int
    title: str
    author: str | None
    report_date: date | None
    research_question: str | None
    claim_count: int
    created_at: datetime


class ReportMention(Schema):
    claim_id: int
    position: int
    line: int
    text: str
    truncated: bool
    stated_verified: bool
    stated_confidence: float


class ReportCitation(Schema):
    position: int
    raw: str
    source_id: int | None
    arxiv_key: str | None
    warning: str | None


class ReportDetail(ReportSummary):
    sha256: str
    stated: StatedFigures
    warnings: list[str]
    claims: list[ReportMention]
    citations: list[ReportCitation]


class IngestResponse(Schema):
    id: int
    created: bool
    claims: int
    warnings: list[str]
