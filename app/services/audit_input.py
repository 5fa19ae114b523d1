"""What a report audit reads, as plain records.

The audit API loads them with five Core queries of prebuilt statements: turning a report's
mentions, claims, latest verifications and their evidence into ORM objects took four fifths of
an audit's time. A page that has those objects already (the report page) converts them instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.errors import NotFoundError
from app.models import Citation, Claim, ClaimMention, Evidence, Report, Source, Verification
from app.services.verdicts import ReportRuns


@dataclass(frozen=True, slots=True)
class MentionRecord:
    id: int
    claim_id: int
    position: int
    text: str
    stated_verified: bool
    stated_confidence: float


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A mention's latest verification; ``relied_on``: the sources of its evidence that took a
    side (supports or contradicts)."""

    verdict: str
    confidence: float | None
    probabilities: dict
    relied_on: frozenset[int]


@dataclass(frozen=True, slots=True)
class SourceRecord:
    id: int
    key: str
    title: str | None
    status: str
    abstract: str | None
    passage_count: int


@dataclass(frozen=True, slots=True)
class AuditInput:
    report_id: int
    title: str
    research_question: str | None
    stated_claims_extracted: int | None
    stated_claims_verified: int | None
    stated_quality_score: float | None
    mentions: list[MentionRecord]  # in report order
    runs: dict[int, RunRecord]  # by mention id; mentions never verified have none
    sources: list[SourceRecord]  # the cited sources, in citation order


_REPORT_ID = bindparam("report_id")
_R, _M, _C, _V, _E, _S, _CI = (Report.__table__, ClaimMention.__table__, Claim.__table__, Verification.__table__,
                               Evidence.__table__, Source.__table__, Citation.__table__)
_REPORT = select(_R.c.id, _R.c.title, _R.c.research_question, _R.c.stated_claims_extracted,
                 _R.c.stated_claims_verified, _R.c.stated_quality_score).where(_R.c.id == _REPORT_ID)
_MENTIONS = (select(_M.c.id, _M.c.claim_id, _M.c.position, _C.c.text, _M.c.stated_verified, _M.c.stated_confidence)
             .join_from(_M, _C, _C.c.id == _M.c.claim_id).where(_M.c.report_id == _REPORT_ID).order_by(_M.c.position))
_LATEST = select(_M.c.latest_verification_id).where(_M.c.report_id == _REPORT_ID,
                                                    _M.c.latest_verification_id.is_not(None))
_RUNS = select(_V.c.id, _V.c.mention_id, _V.c.verdict, _V.c.confidence, _V.c.probabilities).where(_V.c.id.in_(_LATEST))
_RELIED_ON = (select(_E.c.verification_id, _E.c.source_id)
              .where(_E.c.verification_id.in_(_LATEST), _E.c.stance != "neutral", _E.c.source_id.is_not(None)))
_SOURCES = (select(_S.c.id, _S.c.key, _S.c.title, _S.c.status, _S.c.abstract, _S.c.passage_count)
            .join_from(_CI, _S, _S.c.id == _CI.c.source_id).where(_CI.c.report_id == _REPORT_ID)
            .order_by(_CI.c.position))


def load_audit_input(session: Session, report_id: int) -> AuditInput:
    """What the audit of ``report_id`` reads (``NotFoundError`` if there is no such report)."""
    connection, params = session.connection(), {"report_id": report_id}
    report = connection.execute(_REPORT, params).first()
    if report is None:
        raise NotFoundError(f"report {report_id} does not exist")
    relied: dict[int, set[int]] = {}
    for verification_id, source_id in connection.execute(_RELIED_ON, params):
        relied.setdefault(verification_id, set()).add(source_id)
    runs = {mention_id: RunRecord(verdict, confidence, probabilities or {}, frozenset(relied.get(run_id, ())))
            for run_id, mention_id, verdict, confidence, probabilities in connection.execute(_RUNS, params)}
    return AuditInput(
        *report,
        mentions=[MentionRecord(*row) for row in connection.execute(_MENTIONS, params)],
        runs=runs,
        sources=[SourceRecord(*row) for row in connection.execute(_SOURCES, params)],
    )


def audit_input_of(loaded: ReportRuns) -> AuditInput:
    """The same records from a report whose mentions, claims, citations and latest
    verifications are loaded already."""
    report, runs = loaded
    return AuditInput(
        report.id, report.title, report.research_question, report.stated_claims_extracted,
        report.stated_claims_verified, report.stated_quality_score,
        mentions=[MentionRecord(m.id, m.claim_id, m.position, m.claim.text, m.stated_verified, m.stated_confidence)
                  for m in report.mentions],
        runs={mention_id: RunRecord(run.verdict, run.confidence, run.probabilities or {},
                                    frozenset(e.source_id for e in run.evidence
                                              if e.stance != "neutral" and e.source_id is not None))
              for mention_id, run in runs.items()},
        sources=[SourceRecord(c.source.id, c.source.key, c.source.title, c.source.status, c.source.abstract,
                              c.source.passage_count)
                 for c in report.citations if c.source is not None],
    )
