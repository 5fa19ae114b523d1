"""/api/claims: filtered, cursor-paginated listing and the claim with all its mentions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.params import PLAIN_TEXT, OptionalId, ResourceId
from app.api.responses import ModelResponse
from sqlalchemy.orm import Session

from app.db import run_in_session
from app.deps import SettingsDep
from app.schemas.claims import ClaimDetail, ClaimSummary, MentionOut
from app.schemas.common import CursorPage
from app.services import claims as service
from app.services.replicate import latest_replication, replications_of
from app.services.verdicts import ClaimStatus, latest_verdicts


router = APIRouter(prefix="/claims", tags=["claims"])


def _summary_fields(claim, status: ClaimStatus) -> dict:
    """The summary of a claim (a model or a row of ``service.SUMMARY_COLUMNS``) as plain data."""
    return dict(id=claim.id, text=claim.text, truncated=claim.truncated, completed_text=claim.completed_text,
                group_id=claim.group_id, mention_count=claim.mention_count,
                status=dict(verdict=status.verdict, confidence=status.confidence, counts=status.counts,
                            verified_mentions=status.verified_mentions))


@router.get("", response_model=CursorPage[ClaimSummary])
async def list_claims(
    settings: SettingsDep,
    report: Annotated[OptionalId, Query(description="only claims this report makes")] = None,
    q: Annotated[str | None, Query(max_length=500, pattern=PLAIN_TEXT,
                                   description="case-insensitive text search (no control characters)")] = None,
    truncated: bool | None = None,
    verdict: Annotated[service.VerdictFilter | None, Query(
        description="claims with a mention whose latest verdict is this, or never verified")] = None,
    source: Annotated[OptionalId, Query(description="claims of reports citing this source id")] = None,
    sort: service.ClaimSort = "id",
    cursor: Annotated[str | None, Query(max_length=service.MAX_CURSOR_LENGTH,
                                        description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
) -> ModelResponse:
    filters = service.ClaimFilters(report=report, q=q, truncated=truncated, verdict=verdict, source=source)
    return await run_in_session(settings, claims_page, filters, sort, cursor, limit)


def claims_page(session: Session, filters: service.ClaimFilters, sort: service.ClaimSort, cursor: str | None,
                limit: int) -> ModelResponse:
    """A page of claim summaries with their statuses (runs in a read thread)."""
    rows, next_cursor = service.list_claims(session, filters, sort=sort, cursor=cursor, limit=limit)
    statuses = latest_verdicts(session, [c.id for c in rows])
    # Plain data straight from typed columns, in the shape of CursorPage[ClaimSummary] (the
    # declared response model): encoded once, without building and validating 100 models.
    return ModelResponse({"items": [_summary_fields(c, statuses[c.id]) for c in rows], "next_cursor": next_cursor})


@router.get("/{claim_id}", response_model=ClaimDetail)
async def get_claim(claim_id: ResourceId, settings: SettingsDep) -> ModelResponse:
    return await run_in_session(settings, claim_detail, claim_id)


def claim_detail(session: Session, claim_id: int) -> ModelResponse:
    """A claim with its mentions, statuses and replications (runs in a read thread)."""
    claim = service.get_claim(session, claim_id)  # mentions (with their latest verdicts) and reports loaded
    status = ClaimStatus.of([(m.latest_verdict, m.latest_confidence) for m in
                             sorted(claim.mentions, key=lambda m: m.latest_verification_id or 0)
                             if m.latest_verdict is not None])
    replications, total = replications_of(session, claim.id)
    return ModelResponse(ClaimDetail(
        replications=replications, replications_total=total,
        latest_replication=latest_replication(session, claim.id),
        **_summary_fields(claim, status),
        mentions=[MentionOut(report_id=m.report_id, report_title=m.report.title, position=m.position,
                             line=m.line, stated_verified=m.stated_verified,
                             stated_confidence=m.stated_confidence,
                             verdict=m.latest_verdict, confidence=m.latest_confidence)
                  for m in claim.mentions],
    ))
