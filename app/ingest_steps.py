"""The steps of a report's ingestion, in whichever process runs them (a child of the API server,
a thread of it, or `claimtrace ingest`): parse, with errors as HTTP errors naming the line; store
one report, or a group in one transaction."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app.db import session_scope
from app.errors import PayloadTooLargeError, UnprocessableError
from app.services import reports as service
from app.settings import Settings
from verifier.reports import ParsedReport, ReportParseError, ReportTooLargeError


def parse_and_store(data: bytes, settings: Settings) -> service.IngestResult:
    """Parse (linear time), then store in one transaction of its own; parse errors name the line."""
    parsed = parse(data, settings)
    with session_scope(settings) as session:
        return service.ingest_parsed(session, parsed)


def parse(data: bytes, settings: Settings) -> ParsedReport:
    """The report, or the HTTP error that says what is wrong with it (naming the line)."""
    try:
        return service.parse_report_bytes(data, settings)
    except ReportTooLargeError as exc:
        raise PayloadTooLargeError(exc.message, details={"line": exc.line or None}) from None
    except ReportParseError as exc:
        raise UnprocessableError(exc.message, code="report_parse_error", details={"line": exc.line}) from None


def parse_and_store_group(reports: list[bytes], settings: Settings) -> list[service.IngestResult | Exception]:
    """Each report's result, or the error it alone raised: the ones that parse are stored together."""
    outcomes: list[service.IngestResult | Exception | None] = []
    parsed = []
    for data in reports:
        try:
            parsed.append(parse(data, settings))
            outcomes.append(None)
        except (PayloadTooLargeError, UnprocessableError) as exc:
            outcomes.append(exc)
    stored = iter(store_group(settings, parsed))
    return [next(stored) if outcome is None else outcome for outcome in outcomes]


def store_group(settings: Settings, parsed: list[ParsedReport]) -> list[service.IngestResult | Exception]:
    """Store the reports in one transaction; if it hits a database error (a claim another writer
    stored meanwhile, say), store them one by one, each in its own. One result per report, in
    order, or the conflict that report alone still met; any other error is raised."""
    if not parsed:
        return []
    try:
        with session_scope(settings) as session:
            return list(service.ingest_batch(session, parsed))
    except SQLAlchemyError:
        pass  # nothing of the group was stored
    outcomes: list[service.IngestResult | Exception] = []
    for report in parsed:
        try:
            with session_scope(settings) as session:
                outcomes.append(service.ingest_parsed(session, report))
        except IntegrityError as exc:  # still conflicting after ingest_parsed's retries
            outcomes.append(exc)
    return outcomes
