"""Claim use cases: filtered, sorted, cursor-paginated listing and the claim detail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.errors import NotFoundError
from app.models import Citation, Claim, ClaimMention, Verification
from app.services.pagination import MAX_CURSOR_LENGTH as MAX_CURSOR_LENGTH  # re-exported for the route
from app.services.pagination import decode_cursor, encode_cursor

ClaimSort = Literal["id", "-id", "text", "-text"]
VerdictFilter = Literal["supported", "contradicted", "not_enough_info", "unchecked", "unverified"]
MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class ClaimFilters:
    report: int | None = None
    q: str | None = None
    truncated: bool | None = None
    verdict: VerdictFilter | None = None
    source: int | None = None


def _filtered(filters: ClaimFilters) -> Select:
    query = select(Claim)
    if filters.report is not None:
        query = query.where(Claim.id.in_(
            select(ClaimMention.claim_id).where(ClaimMention.report_id == filters.report)
        ))
    if filters.q:
        escaped = filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Claim.text.ilike(f"%{escaped}%", escape="\\"))
    if filters.truncated is not None:
        query = query.where(Claim.truncated.is_(filters.truncated))
    if filters.source is not None:
        citing_reports = select(Citation.report_id).where(Citation.source_id == filters.source)
        query = query.where(Claim.id.in_(
            select(ClaimMention.claim_id).where(ClaimMention.report_id.in_(citing_reports))
        ))
    if filters.verdict == "unverified":
        query = query.where(Claim.id.not_in(select(Verification.claim_id)))
    elif filters.verdict is not None:
        # Claims with at least one mention whose latest verdict is the one asked for.
        latest = select(func.max(Verification.id)).group_by(Verification.mention_id)
        query = query.where(Claim.id.in_(
            select(Verification.claim_id).where(Verification.id.in_(latest), Verification.verdict == filters.verdict)
        ))
    return query


def list_claims(session: Session, filters: ClaimFilters, *, sort: ClaimSort = "id",
                cursor: str | None = None, limit: int = 50) -> tuple[list[Claim], str | None]:
    """One page of claims and the cursor of the next page (None on the last page)."""
    descending = sort.startswith("-")
    column = Claim.text if sort.lstrip("-") == "text" else Claim.id
    query = _filtered(filters)
    if cursor:  # keyset: rows after the last one by (sort value, id)
        value, last_id = decode_cursor(cursor, str if column is Claim.text else int)
        after = (lambda a, b: a < b) if descending else (lambda a, b: a > b)
        query = query.where(or_(after(column, value), and_(column == value, after(Claim.id, last_id))))
    direction = (lambda c: c.desc()) if descending else (lambda c: c.asc())
    rows = list(session.scalars(query.order_by(direction(column), direction(Claim.id)).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(last.text if column is Claim.text else last.id, last.id)


def get_claim(session: Session, claim_id: int) -> Claim:
    claim = session.scalar(select(Claim).where(Claim.id == claim_id).options(
        selectinload(Claim.mentions).selectinload(ClaimMention.report)
    ))
    if claim is None:
        raise NotFoundError(f"claim {claim_id} does not exist")
    return claim
