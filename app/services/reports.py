"""Report use cases: ingest (one transaction, idempotent), list, show."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, String, Table, any_, bindparam, func, insert, literal_column, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.errors import NotFoundError
from app.models import Citation, Claim, ClaimMention, Report, Source
from app.models.base import utcnow
from app.services.search_index import claims_indexed_together
from app.settings import Settings
from verifier.arxiv_ids import ArxivId
from verifier.reports import ParsedClaim, ParsedReport, decode_report, parse_report

INGEST_ATTEMPTS = 3
BULK_BATCH_CLAIMS = 20_000  # claims stored per transaction by a bulk ingest (ingest_batch)


@dataclass(frozen=True, slots=True)
class IngestResult:
    report_id: int
    created: bool
    claims: int
    warnings: list[str]


def parse_report_bytes(data: bytes, settings: Settings) -> ParsedReport:
    """Decode and parse with the installation's limits; raises ``ReportParseError``."""
    text = decode_report(data, max_bytes=settings.max_report_bytes)
    return parse_report(text, max_bytes=settings.max_report_bytes, max_claims=settings.max_report_claims)


def ingest_parsed(session: Session, parsed: ParsedReport) -> IngestResult:
    """Store a parsed report with its claims and citations, all or nothing.

    Re-ingesting the same normalised text returns the existing report unchanged. Concurrent
    ingests that race on a shared claim or source retry on the unique-key conflict.
    """
    for attempt in range(INGEST_ATTEMPTS):
        existing = session.scalar(select(Report.id).where(Report.sha256 == parsed.sha256))
        if existing is not None:
            return IngestResult(existing, False, len(parsed.claims), parsed.warnings)
        try:
            with session.begin_nested():
                [report_id] = _insert_reports(session, [parsed])
            return IngestResult(report_id, True, len(parsed.claims), parsed.warnings)
        except IntegrityError:
            if attempt == INGEST_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def ingest_batch(session: Session, batch: list[ParsedReport]) -> list[IngestResult]:
    """Store many parsed reports in the session's transaction, one result each, in order.

    For bulk ingestion: every table gets one statement for the whole batch (reports, claims,
    mentions, citations, the search index), with no savepoint per report. The caller commits,
    or on any database error rolls back (nothing of the batch is stored) and stores the reports
    one by one with ``ingest_parsed``. A report given twice, or already stored, is "already
    ingested".
    """
    known = dict(session.execute(select(Report.sha256, Report.id)
                                 .where(Report.sha256.in_({parsed.sha256 for parsed in batch}))).all())
    fresh = list({p.sha256: p for p in batch if p.sha256 not in known}.values())  # same hash, same text
    created = dict(zip((p.sha256 for p in fresh), _insert_reports(session, fresh), strict=True))
    results, seen = [], set()
    for parsed in batch:
        new = parsed.sha256 in created and parsed.sha256 not in seen
        seen.add(parsed.sha256)
        report_id = created.get(parsed.sha256) or known[parsed.sha256]
        results.append(IngestResult(report_id, new, len(parsed.claims), parsed.warnings))
    return results


def _insert_reports(session: Session, batch: list[ParsedReport]) -> list[int]:
    """The reports' rows, then their claims, mentions and citations: one bulk write per table
    for the whole batch (not one per row, nor one per report). Returns the new report ids in order.

    The reports' INSERT is the transaction's first write: on SQLite it takes the database's one
    write lock, so the ids counted out for the claims afterwards cannot be taken by another writer."""
    if not batch:
        return []
    rows = [dict(sha256=p.sha256, title=p.title, author=p.author, report_date=p.date,
                 research_question=p.research_question, stated_papers_retrieved=p.papers_retrieved,
                 stated_claims_extracted=p.claims_extracted, stated_claims_verified=p.claims_verified,
                 stated_quality_score=p.quality_score, warnings=p.warnings, raw_text=p.text, created_at=utcnow())
            for p in batch]
    if session.get_bind().dialect.name == "postgresql":
        report_ids = _next_ids(session, "reports", len(rows))
        _insert_rows(session, Report.__table__, [dict(row, id=i) for row, i in zip(rows, report_ids, strict=True)])
    else:
        report_ids = list(session.scalars(insert(Report).returning(Report.id, sort_by_parameter_order=True), rows))
    claim_ids = _claim_ids_by_key(session, {item.key: item for p in batch for item in p.claims})
    mentions = [dict(report_id=report_id, claim_id=claim_ids[item.key], position=position, line=item.line,
                     stated_verified=item.verified, stated_confidence=item.confidence)
                for report_id, p in zip(report_ids, batch, strict=True) for position, item in enumerate(p.claims)]
    if mentions:
        _insert_rows(session, ClaimMention.__table__, mentions)
    source_ids = _source_ids_by_key(session, [ref.arxiv for p in batch for ref in p.references if ref.arxiv])
    citations = [dict(report_id=report_id, position=position, raw=ref.raw, warning=ref.warning,
                      source_id=source_ids[ref.arxiv.key] if ref.arxiv else None)
                 for report_id, p in zip(report_ids, batch, strict=True) for position, ref in enumerate(p.references)]
    if citations:
        _insert_rows(session, Citation.__table__, citations)
    return report_ids


def _claim_ids_by_key(session: Session, wanted: dict[str, ParsedClaim]) -> dict[str, int]:
    """Claim ids for these wordings (by ``claim_key``), inserting the missing claims in bulk.

    The new claims' ids are counted out before their INSERT, so a new group is named by its
    first claim in the same statement. (An UPDATE afterwards would rewrite each row in every
    index of claims, the trigram index included: PostgreSQL cannot update an indexed column in
    place.)"""
    if not wanted:
        return {}
    found = dict(session.execute(select(Claim.key, Claim.id).where(one_of(session, Claim.key, wanted))).all())
    missing = {key: item for key, item in wanted.items() if key not in found}
    if not missing:
        return found
    groups = dict(session.execute(
        select(Claim.group_key, func.min(Claim.group_id))
        .where(one_of(session, Claim.group_key, {item.group_key for item in missing.values()}))
        .group_by(Claim.group_key)
    ).all())
    ids = _next_ids(session, "claims", len(missing))
    new_ids = dict(zip(missing, ids))  # ascending: the first claim of a new group names it
    for key, item in missing.items():
        groups.setdefault(item.group_key, new_ids[key])
    now = utcnow()
    with claims_indexed_together(session, ids[0], ids[-1]):
        _insert_rows(session, Claim.__table__, [
            dict(id=new_ids[key], text=item.text, key=key, truncated=item.truncated, group_key=item.group_key,
                 group_id=groups[item.group_key], created_at=now)
            for key, item in missing.items()])
    return found | new_ids


def one_of(session: Session, column: ColumnElement[str], values: Collection[str]) -> ColumnElement[bool]:
    """``column IN values`` with the values bound as one parameter (a PostgreSQL array; a JSON
    array read by ``json_each`` on SQLite), not one parameter each: a bulk batch looks up tens
    of thousands of keys, and compiling and binding a parameter per key took longer than the query."""
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(String)))
    return column.in_(select(literal_column("value")).select_from(func.json_each(json.dumps(values))))


def _insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Many rows into ``table`` in one go, without the ORM's or Core's per-row bookkeeping: the
    values go through the dialect's own bind processing (UTC datetimes, JSON wrapped for psycopg)
    once, then to PostgreSQL's ``COPY`` (psycopg's executemany would pipeline one statement per
    row; multi-row VALUES was slower still) or to the SQLite driver's executemany (a C loop)."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    columns = list(rows[0])
    values = zip(*(_bound_column(table.c[name].type.dialect_impl(dialect).bind_processor(dialect),
                                 [row[name] for row in rows]) for name in columns))
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)
    name = dialect.identifier_preparer.quote(table.name)
    if dialect.name != "postgresql":
        session.connection().exec_driver_sql(
            f"INSERT INTO {name} ({quoted}) VALUES ({', '.join('?' * len(columns))})", list(values))
        return
    statement = f"COPY {name} ({quoted}) FROM STDIN"
    driver = session.connection().connection.driver_connection  # this transaction's psycopg connection
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in values:
                copy.write_row(row)
    except dialect.loaded_dbapi.Error as exc:  # as SQLAlchemy's own errors (IntegrityError: callers retry)
        raise DBAPIError.instance(statement, None, exc, dialect.loaded_dbapi.Error) from exc


def _bound_column(bind: Callable[[Any], Any] | None, values: list) -> list:
    """One column's values through its bind processor, each distinct value once: the columns
    that have one (timestamps, flags) repeat a handful of values over a batch."""
    if bind is None:
        return values
    try:
        bound = {value: bind(value) for value in set(values)}
    except TypeError:  # unhashable (JSON lists)
        return [bind(value) for value in values]
    return [bound[value] for value in values]


def _next_ids(session: Session, table: str, count: int) -> list[int]:
    """``count`` new ids for ``table``, ascending, in one round trip: from its PostgreSQL sequence;
    on SQLite the ids after the largest one (what SQLite itself would give them), which only the
    holder of the write lock may count out."""
    if session.get_bind().dialect.name == "postgresql":
        return sorted(session.scalars(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
            {"table": table, "n": count}))
    last = session.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table}"))
    return list(range(last + 1, last + 1 + count))


def _source_ids_by_key(session: Session, cited: list[ArxivId]) -> dict[str, int]:
    """Source ids for these arXiv ids (exact versions), creating the sources not yet known."""
    wanted = {arxiv.key: arxiv for arxiv in cited}
    if not wanted:
        return {}
    found = dict(session.execute(select(Source.key, Source.id).where(Source.key.in_(wanted))).all())
    missing = [arxiv for key, arxiv in wanted.items() if key not in found]
    if missing:
        new_ids = session.scalars(insert(Source).returning(Source.id, sort_by_parameter_order=True), [
            dict(key=arxiv.key, arxiv_id=arxiv.base, version=arxiv.version) for arxiv in missing])
        found.update(zip((arxiv.key for arxiv in missing), new_ids, strict=True))
    return found


def list_reports(session: Session, *, offset: int = 0, limit: int = 50) -> tuple[list[Report], int]:
    total = session.scalar(select(func.count(Report.id))) or 0
    rows = session.scalars(select(Report).order_by(Report.id).offset(offset).limit(limit)).all()
    return list(rows), total


def get_report(session: Session, report_id: int) -> Report:
    report = session.scalar(
        select(Report).where(Report.id == report_id).options(
            selectinload(Report.mentions).selectinload(ClaimMention.claim),
            selectinload(Report.citations).selectinload(Citation.source),
        )
    )
    if report is None:
        raise NotFoundError(f"report {report_id} does not exist")
    return report
