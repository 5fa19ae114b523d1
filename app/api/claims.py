"""/api/claims: filtered, cursor-paginated listing and the claim with all its mentions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.db import SessionDep
from app.models import Claim
from app.schemas.claims import ClaimDetail, ClaimSummary, MentionOut
from app.schemas.common import CursorPage
from app.services import claims as service


router = APIRouter(prefix="/claims", tags=["claims"])


def _summary_fields(claim: Claim) -> dict:
    return dict(id=claim.id, text=claim.text, truncated=claim.truncated, completed_text=claim.completed_text,
                group_id=claim.group_id, mention_count=claim.mention_count)


@router.get("", response_model=CursorPage[ClaimSummary])
def list_claims(
    session: SessionDep,
    report: Annotated[int | None, Query(description="only claims this report makes")] = None,
    q: Annotated[str | None, Query(max_length=500, description="case-insensitive text search")] = None,
    truncated: bool | None = None,
    sort: service.ClaimSort = "id",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
) -> CursorPage[ClaimSummary]:
    rows, next_cursor = service.list_claims(
        session, service.ClaimFilters(report=report, q=q, truncated=truncated),
        sort=sort, cursor=cursor, limit=limit,
    )
    return CursorPage(items=[ClaimSummary(**_summary_fields(c)) for c in rows], next_cursor=next_cursor)


@router.get("/{claim_id}", response_model=ClaimDetail)
def get_claim(claim_id: int, session: SessionDep) -> ClaimDetail:
    claim = service.get_claim(session, claim_id)
    return ClaimDetail(
        **_summary_fields(claim),
        mentions=[MentionOut(report_id=m.report_id, report_title=m.report.title, position=m.position,
                             line=m.line, stated_verified=m.stated_verified,
                             stated_confidence=m.stated_confidence) for m in claim.mentions],
    )
