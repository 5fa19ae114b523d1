"""Verification, evidence, audit and synthesis responses."""

from __future__ import annotations

from datetime import datetime

from app.schemas.common import Schema


class EvidenceOut(Schema):
    rank: int
    source_id: int | None
    source_key: str
    source_version: int | None
    cited: bool
    passage_index: int
    page: int | None
    char_start: int
    char_end: int
    text: str
    retrieval_score: float
    stance: str
    stance_prob: float


class VerificationOut(Schema):
    id: int
    mention_id: int
    claim_id: int
    job_id: int | None
    verdict: str
    confidence: float | None  # None when unchecked
    probabilities: dict[str, float]
    explanation: str
    version_notes: list[str]
    completed_text: str | None
    verifier_version: str
    model_ids: dict[str, str | None]
    unread_sources: list[str] = []
    cited_sources: int = 0
    created_at: datetime
    evidence: list[EvidenceOut]


class ClaimStatusOut(Schema):
    verdict: str | None
    confidence: float | None
    counts: dict[str, int]
    verified_mentions: int


class ClaimFindingOut(Schema):
    claim_id: int
    mention_id: int
    position: int
    text: str
    stated_verified: bool
    stated_confidence: float
    verdict: str | None
    confidence: float | None


class SourceFindingOut(Schema):
    source_id: int
    key: str
    title: str | None
    status: str
    reason: str


class QuestionFindingOut(Schema):
    question: str | None
    addressed: bool
    supported_claims: list[int]
    missing_entities: list[str]
    explanation: str


class AuditOut(Schema):
    report_id: int
    title: str
    stated: dict[str, float | int | None]
    measured: dict[str, float | int | None]
    unsupported_claims: list[ClaimFindingOut]
    unused_sources: list[SourceFindingOut]
    off_topic_sources: list[SourceFindingOut]
    research_question: QuestionFindingOut
