"""Claim use cases: filtered, sorted, cursor-paginated listing and the claim detail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Row, Select, column, exists, func, literal_column, select, table, tuple_
from sqlalchemy.orm import Session, selectinload

from app.errors import NotFoundError
from app.models import Citation, Claim, ClaimMention
from app.services.pagination import MAX_CURSOR_LENGTH as MAX_CURSOR_LENGTH  # re-exported for the route
from app.services.pagination import decode_cursor, encode_cursor

ClaimSort = Literal["id", "-id", "text", "-text"]
VerdictFilter = Literal["supported", "contradicted", "not_enough_info", "unchecked", "unverified"]
MAX_PAGE = 200
SEARCH_WALK_ROWS = 5000  # see _walked_search
TEXT_SORT_PREFIX = 200  # characters of PostgreSQL's text sort-key index (migration 0010_perf)
# The columns of a listed claim (``mention_count`` is counted in SQL).
SUMMARY_COLUMNS = (Claim.id, Claim.text, Claim.truncated, Claim.completed_text, Claim.group_id,
                   Claim.mention_count.label("mention_count"))
# SQLite's FTS5 trigram index over claims.text (migration 0009_search).
_CLAIMS_FTS = table("claims_fts", column("rowid"), column("text"))


@dataclass(frozen=True, slots=True)
class ClaimFilters:
    report: int | None = None
    q: str | None = None
    truncated: bool | None = None
    verdict: VerdictFilter | None = None
    source: int | None = None


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text_search(query: Select, q: str, dialect: str, *, indexed: bool = True) -> Select:
    """Case-insensitive substring search, answered by the trigram index of each database
    (``indexed``) or checked on the rows the query walks anyway."""
    exact = Claim.text.ilike(f"%{_escape_like(q)}%", escape="\\")
    if dialect == "sqlite" and indexed and len(q) >= 3:
        # Joined (not IN): the planner then either walks the claims page by page and probes the
        # index, or walks the index's few matches, instead of listing every match first. FTS5 LIKE
        # takes no ESCAPE, so its matches are a superset; the exact condition keeps the right ones.
        fts_match = _CLAIMS_FTS.c.text.like(f"%{q}%")
        return query.join_from(Claim, _CLAIMS_FTS, _CLAIMS_FTS.c.rowid == Claim.id).where(fts_match, exact)
    return query.where(exact)  # pg_trgm GIN index (the planner's choice); under 3 characters: a scan


def _filtered(filters: ClaimFilters, dialect: str, *columns, indexed_search: bool = True) -> Select:
    query = select(*columns)
    if filters.report is not None:
        query = query.where(Claim.id.in_(
            select(ClaimMention.claim_id).where(ClaimMention.report_id == filters.report)
        ))
    if filters.q:
        query = _text_search(query, filters.q, dialect, indexed=indexed_search)
    if filters.truncated is not None:
        query = query.where(Claim.truncated.is_(filters.truncated))
    if filters.source is not None:
        citing_reports = select(Citation.report_id).where(Citation.source_id == filters.source)
        query = query.where(Claim.id.in_(
            select(ClaimMention.claim_id).where(ClaimMention.report_id.in_(citing_reports))
        ))
    if filters.verdict is not None:
        # A mention's latest verdict is kept on the mention (indexed by verdict, claim).
        mention = select(ClaimMention.id).where(ClaimMention.claim_id == Claim.id)
        if filters.verdict == "unverified":
            query = query.where(~exists(mention.where(ClaimMention.latest_verdict.is_not(None))))
        else:
            query = query.where(exists(mention.where(ClaimMention.latest_verdict == filters.verdict)))
    return query


def _sort_keys(sort: ClaimSort, dialect: str) -> list:
    """The ORDER BY columns of ``sort`` (ascending), ending with the id. PostgreSQL sorts text
    in byte order, led by the indexed 200-character prefix (migration 0010_perf); SQLite's
    BINARY index on (text, id) is in the same order."""
    if sort.lstrip("-") != "text":
        return [Claim.id]
    if dialect == "postgresql":
        prefix = func.left(Claim.text, literal_column(str(TEXT_SORT_PREFIX))).collate("C")
        return [prefix, Claim.text.collate("C"), Claim.id]
    return [Claim.text, Claim.id]


def _ordered(query: Select, sort: ClaimSort, cursor: str | None, dialect: str) -> Select:
    """``query`` from the rows after ``cursor`` by (sort value, id), in that order."""
    descending = sort.startswith("-")
    keys = _sort_keys(sort, dialect)
    if cursor:  # keyset: rows after the last one by (sort value, id)
        value, last_id = decode_cursor(cursor, str if len(keys) > 1 else int)
        if len(keys) == 1:
            query = query.where(Claim.id < last_id if descending else Claim.id > last_id)
        else:
            after = [value[:TEXT_SORT_PREFIX], value, last_id] if len(keys) == 3 else [value, last_id]
            key, after_ = tuple_(*keys), tuple_(*after)
            query = query.where(key < after_ if descending else key > after_)
            if len(keys) == 3:  # where the prefix index starts (the row comparison alone does not say)
                query = query.where(keys[0] <= after[0] if descending else keys[0] >= after[0])
    return query.order_by(*(k.desc() if descending else k.asc() for k in keys))


def _walked_search(session: Session, filters: ClaimFilters, dialect: str, sort: ClaimSort, cursor: str | None,
                   limit: int) -> list[Row] | None:
    """A text search's page from the next ``SEARCH_WALK_ROWS`` rows of the listing in order, or
    None when they hold less than a page. A frequent term (1 claim in 100 or more) fills its
    page here in a few milliseconds, where the trigram index would list and sort all its
    matches; a rare one falls back to the index."""
    unsearched = ClaimFilters(report=filters.report, truncated=filters.truncated, verdict=filters.verdict,
                              source=filters.source)
    # The walk reads (id, text) only: on SQLite the index on (text, id) covers it.
    walk = _ordered(_filtered(unsearched, dialect, Claim.id, Claim.text), sort, cursor, dialect).limit(SEARCH_WALK_ROWS)
    walked = walk.subquery()
    key = walked.c.id
    if sort.lstrip("-") == "text":
        key = walked.c.text.collate("C") if dialect == "postgresql" else walked.c.text  # as _sort_keys
    order = [key.desc(), walked.c.id.desc()] if sort.startswith("-") else [key.asc(), walked.c.id.asc()]
    matches = (select(walked.c.id).where(walked.c.text.ilike(f"%{_escape_like(filters.q or '')}%", escape="\\"))
               .order_by(*order).limit(limit + 1))
    rows = list(session.execute(_ordered(select(*SUMMARY_COLUMNS).where(Claim.id.in_(matches)), sort, None,
                                                dialect)))
    return rows if len(rows) > limit else None


def list_claims(session: Session, filters: ClaimFilters, *, sort: ClaimSort = "id",
                cursor: str | None = None, limit: int = 50) -> tuple[list[Row], str | None]:
    """One page of claims (rows of ``SUMMARY_COLUMNS``) and the next page's cursor (None on the
    last page)."""
    dialect = session.get_bind().dialect.name
    rows = _walked_search(session, filters, dialect, sort, cursor, limit) if filters.q else None
    if rows is None:
        query = _ordered(_filtered(filters, dialect, *SUMMARY_COLUMNS), sort, cursor, dialect)
        rows = list(session.execute(query.limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(last.text if sort.lstrip("-") == "text" else last.id, last.id)


def get_claim(session: Session, claim_id: int) -> Claim:
    claim = session.scalar(select(Claim).where(Claim.id == claim_id).options(
        selectinload(Claim.mentions).selectinload(ClaimMention.report)
    ))
    if claim is None:
        raise NotFoundError(f"claim {claim_id} does not exist")
    return claim
