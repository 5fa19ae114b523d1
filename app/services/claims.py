"""Claim use cases: filtered, sorted, cursor-paginated listing and the claim detail."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from sqlalchemy import Integer, Row, Select, Text, bindparam, column, exists, func, literal_column, select, table, tuple_
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


# Listing statements are built once per shape (dialect, sort, which filters, cursor or not) and
# cached; every value (ids, search pattern, cursor, limit) is a bound parameter. Building a
# statement and its cache key on each request cost several times what SQLite takes to answer it.
_P_REPORT, _P_SOURCE = bindparam("report", type_=Integer), bindparam("source", type_=Integer)
_P_LIKE, _P_FTS = bindparam("q_like", type_=Text), bindparam("q_fts", type_=Text)
_P_AFTER_ID, _P_AFTER_TEXT = bindparam("after_id", type_=Integer), bindparam("after_text", type_=Text)
_P_AFTER_PREFIX = bindparam("after_prefix", type_=Text)
_P_LIMIT, _P_WALK = bindparam("limit", type_=Integer), bindparam("walk_rows", type_=Integer)


@dataclass(frozen=True, slots=True)
class _Shape:
    """What a listing statement depends on, besides its parameter values."""
    dialect: str
    sort: ClaimSort
    cursor: bool
    report: bool = False
    search: Literal[None, "indexed", "scan"] = None  # how the text condition is answered
    truncated: bool | None = None
    verdict: VerdictFilter | None = None
    source: bool = False

    @classmethod
    def of(cls, filters: ClaimFilters, dialect: str, sort: ClaimSort, cursor: str | None) -> _Shape:
        search = None
        if filters.q:
            search = "indexed" if dialect == "sqlite" and len(filters.q) >= 3 else "scan"
        return cls(dialect, sort, bool(cursor), filters.report is not None, search, filters.truncated,
                   filters.verdict, filters.source is not None)


def _params(filters: ClaimFilters, sort: ClaimSort, cursor: str | None, limit: int) -> dict:
    """The bound values of a listing statement (the cursor checked and decoded)."""
    params: dict = {"limit": limit + 1, "walk_rows": SEARCH_WALK_ROWS,
                    "report": filters.report, "source": filters.source}
    if filters.q:
        params |= {"q_like": f"%{_escape_like(filters.q)}%", "q_fts": f"%{filters.q}%"}
    if cursor:
        text_sort = sort.lstrip("-") == "text"
        value, params["after_id"] = decode_cursor(cursor, str if text_sort else int)
        if text_sort:
            params |= {"after_text": value, "after_prefix": value[:TEXT_SORT_PREFIX]}
    return params


def _text_search(query: Select, shape: _Shape, *, indexed: bool = True) -> Select:
    """Case-insensitive substring search, answered by the trigram index of each database
    (``indexed``) or checked on the rows the query walks anyway."""
    exact = Claim.text.ilike(_P_LIKE, escape="\\")
    if shape.search == "indexed" and indexed:
        # Joined (not IN): the planner then either walks the claims page by page and probes the
        # index, or walks the index's few matches, instead of listing every match first. FTS5 LIKE
        # takes no ESCAPE, so its matches are a superset; the exact condition keeps the right ones.
        return query.join_from(Claim, _CLAIMS_FTS, _CLAIMS_FTS.c.rowid == Claim.id).where(
            _CLAIMS_FTS.c.text.like(_P_FTS), exact)
    return query.where(exact)  # pg_trgm GIN index (the planner's choice); under 3 characters: a scan


def _filtered(shape: _Shape, *columns, search: bool = True, indexed_search: bool = True) -> Select:
    query = select(*columns)
    if shape.report:
        query = query.where(Claim.id.in_(select(ClaimMention.claim_id).where(ClaimMention.report_id == _P_REPORT)))
    if shape.search and search:
        query = _text_search(query, shape, indexed=indexed_search)
    if shape.truncated is not None:
        query = query.where(Claim.truncated.is_(shape.truncated))
    if shape.source:
        citing_reports = select(Citation.report_id).where(Citation.source_id == _P_SOURCE)
        query = query.where(Claim.id.in_(
            select(ClaimMention.claim_id).where(ClaimMention.report_id.in_(citing_reports))
        ))
    if shape.verdict is not None:
        # A mention's latest verdict is kept on the mention (indexed by verdict, claim).
        mention = select(ClaimMention.id).where(ClaimMention.claim_id == Claim.id)
        if shape.verdict == "unverified":
            query = query.where(~exists(mention.where(ClaimMention.latest_verdict.is_not(None))))
        else:
            query = query.where(exists(mention.where(ClaimMention.latest_verdict == shape.verdict)))
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


def _ordered(query: Select, shape: _Shape, *, after_cursor: bool = True) -> Select:
    """``query`` from the rows after the cursor (when the shape has one) by (sort value, id), in that order."""
    descending = shape.sort.startswith("-")
    keys = _sort_keys(shape.sort, shape.dialect)
    if shape.cursor and after_cursor:  # keyset: rows after the last one by (sort value, id)
        if len(keys) == 1:
            query = query.where(Claim.id < _P_AFTER_ID if descending else Claim.id > _P_AFTER_ID)
        else:
            after = [_P_AFTER_PREFIX, _P_AFTER_TEXT, _P_AFTER_ID] if len(keys) == 3 else [_P_AFTER_TEXT, _P_AFTER_ID]
            key, after_ = tuple_(*keys), tuple_(*after)
            query = query.where(key < after_ if descending else key > after_)
            if len(keys) == 3:  # where the prefix index starts (the row comparison alone does not say)
                query = query.where(keys[0] <= _P_AFTER_PREFIX if descending else keys[0] >= _P_AFTER_PREFIX)
    return query.order_by(*(k.desc() if descending else k.asc() for k in keys))


@lru_cache(maxsize=512)
def _listing(shape: _Shape) -> Select:
    """A page of ``SUMMARY_COLUMNS`` (``limit + 1`` rows, to tell whether another page follows)."""
    return _ordered(_filtered(shape, *SUMMARY_COLUMNS), shape).limit(_P_LIMIT)


@lru_cache(maxsize=512)
def _walked_listing(shape: _Shape) -> Select:
    """A text search's page from the next ``walk_rows`` rows of the listing in order (see
    ``_walked_search``)."""
    # The walk reads (id, text) only: on SQLite the index on (text, id) covers it.
    walked = _ordered(_filtered(shape, Claim.id, Claim.text, search=False), shape).limit(_P_WALK).subquery()
    key = walked.c.id
    if shape.sort.lstrip("-") == "text":
        key = walked.c.text.collate("C") if shape.dialect == "postgresql" else walked.c.text  # as _sort_keys
    order = [key.desc(), walked.c.id.desc()] if shape.sort.startswith("-") else [key.asc(), walked.c.id.asc()]
    matches = (select(walked.c.id).where(walked.c.text.ilike(_P_LIKE, escape="\\"))
               .order_by(*order).limit(_P_LIMIT))
    return _ordered(select(*SUMMARY_COLUMNS).where(Claim.id.in_(matches)), shape, after_cursor=False)


def _walked_search(session: Session, shape: _Shape, params: dict, limit: int) -> list[Row] | None:
    """A text search's page from the next ``SEARCH_WALK_ROWS`` rows of the listing in order, or
    None when they hold less than a page. A frequent term (1 claim in 100 or more) fills its
    page here in a few milliseconds, where the trigram index would list and sort all its
    matches; a rare one falls back to the index."""
    rows = list(session.connection().execute(_walked_listing(shape), params))
    return rows if len(rows) > limit else None


def list_claims(session: Session, filters: ClaimFilters, *, sort: ClaimSort = "id",
                cursor: str | None = None, limit: int = 50) -> tuple[list[Row], str | None]:
    """One page of claims (rows of ``SUMMARY_COLUMNS``) and the next page's cursor (None on the
    last page)."""
    shape = _Shape.of(filters, session.get_bind().dialect.name, sort, cursor)
    params = _params(filters, sort, cursor, limit)
    rows = _walked_search(session, shape, params, limit) if shape.search else None
    if rows is None:
        rows = list(session.connection().execute(_listing(shape), params))
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
