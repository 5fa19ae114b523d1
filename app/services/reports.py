"""Report use cases: ingest (one transaction, idempotent), list, show."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, selectinload

from app.errors import NotFoundError
from app.models import Citation, Claim, ClaimMention, Report, Source
from app.models.base import utcnow
from app.settings import Settings
from verifier.reports import ParsedReport, claim_group_key, claim_key, decode_report, parse_report

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
                report = _insert_report(session, parsed)
            return IngestResult(report.id, True, len(parsed.claims), parsed.warnings)
        except IntegrityError:
            if attempt == INGEST_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def ingest_batch(session: Session, batch: list[ParsedReport]) -> list[IngestResult]:
    """Store many parsed reports in the session's transaction, one result each, in order.

    For bulk ingestion: no savepoint per report, so the transaction pays its commit and the
    search index's flush once for all of them. The caller commits, or on any database error
    rolls back (nothing of the batch is stored) and stores the reports one by one with
    ``ingest_parsed``. A report given twice, or already stored, is "already ingested".
    """
    known = dict(session.execute(select(Report.sha256, Report.id)
                                 .where(Report.sha256.in_({parsed.sha256 for parsed in batch}))).all())
    results = []
    for parsed in batch:
        if (existing := known.get(parsed.sha256)) is not None:
            results.append(IngestResult(existing, False, len(parsed.claims), parsed.warnings))
            continue
        report = _insert_report(session, parsed)
        known[parsed.sha256] = report.id
        results.append(IngestResult(report.id, True, len(parsed.claims), parsed.warnings))
    return results


def _insert_report(session: Session, parsed: ParsedReport) -> Report:
    """The report row, then its claims, mentions and citations as bulk INSERTs (one statement
    per table, not one per row)."""
    report = Report(
        sha256=parsed.sha256, title=parsed.title, author=parsed.author, report_date=parsed.date,
        research_question=parsed.research_question, stated_papers_retrieved=parsed.papers_retrieved,
        stated_claims_extracted=parsed.claims_extracted, stated_claims_verified=parsed.claims_verified,
        stated_quality_score=parsed.quality_score, warnings=parsed.warnings, raw_text=parsed.text,
    )
    session.add(report)
    session.flush()
    claim_ids = _claim_ids_by_key(session, parsed)
    if parsed.claims:
        session.execute(insert(ClaimMention), [
            dict(report_id=report.id, claim_id=claim_ids[claim_key(item.text)], position=position,
                 line=item.line, stated_verified=item.verified, stated_confidence=item.confidence)
            for position, item in enumerate(parsed.claims)])
    source_ids = _source_ids_by_key(session, parsed)
    if parsed.references:
        session.execute(insert(Citation), [
            dict(report_id=report.id, position=position, raw=ref.raw, warning=ref.warning,
                 source_id=source_ids[ref.arxiv.key] if ref.arxiv else None)
            for position, ref in enumerate(parsed.references)])
    return report


def _claim_ids_by_key(session: Session, parsed: ParsedReport) -> dict[str, int]:
    """Claim ids for the report's wordings, inserting the missing claims (grouped) in bulk."""
    wanted = {claim_key(c.text): c for c in parsed.claims}
    found = dict(session.execute(select(Claim.key, Claim.id).where(Claim.key.in_(wanted))).all())
    missing = {key: item for key, item in wanted.items() if key not in found}
    if not missing:
        return found
    group_keys = {key: claim_group_key(item.text) for key, item in missing.items()}
    groups = dict(session.execute(
        select(Claim.group_key, func.min(Claim.group_id))
        .where(Claim.group_key.in_(set(group_keys.values()))).group_by(Claim.group_key)
    ).all())
    if (ids := _next_claim_ids(session, len(missing))) is not None:
        # Ids known before the INSERT: a new group is named by its first claim in the same
        # statement. (An UPDATE afterwards would rewrite each row in every index of claims,
        # the trigram index included: PostgreSQL cannot update an indexed column in place.)
        new_ids = dict(zip(missing, sorted(ids)))
        for key in missing:
            groups.setdefault(group_keys[key], new_ids[key])
        session.execute(insert(Claim), [
            dict(id=new_ids[key], text=item.text, key=key, truncated=item.truncated, group_key=group_keys[key],
                 group_id=groups[group_keys[key]], created_at=utcnow())
            for key, item in missing.items()])
        return found | new_ids
    session.execute(insert(Claim), [
        dict(text=item.text, key=key, truncated=item.truncated, group_key=group_keys[key],
             group_id=groups.get(group_keys[key]), created_at=utcnow())
        for key, item in missing.items()])
    # A new group is named by its first claim: one UPDATE for all of them.
    same_group = aliased(Claim)
    first = select(func.min(same_group.id)).where(same_group.group_key == Claim.group_key).scalar_subquery()
    session.execute(update(Claim).where(Claim.key.in_(missing), Claim.group_id.is_(None))
                    .values(group_id=first).execution_options(synchronize_session=False))
    found.update(session.execute(select(Claim.key, Claim.id).where(Claim.key.in_(missing))).all())
    return found


def _next_claim_ids(session: Session, count: int) -> list[int] | None:
    """``count`` new claim ids from PostgreSQL's sequence in one round trip; None on SQLite
    (where the UPDATE of new rows is cheap)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return list(session.scalars(
        text("SELECT nextval(pg_get_serial_sequence('claims', 'id')) FROM generate_series(1, :n)"), {"n": count}))


def _source_ids_by_key(session: Session, parsed: ParsedReport) -> dict[str, int]:
    wanted = {ref.arxiv.key: ref.arxiv for ref in parsed.references if ref.arxiv}
    found = dict(session.execute(select(Source.key, Source.id).where(Source.key.in_(wanted))).all())
    for key, arxiv_id in wanted.items():
        if key not in found:
            source = Source(key=key, arxiv_id=arxiv_id.base, version=arxiv_id.version)
            session.add(source)
            session.flush()
            found[key] = source.id
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
