"""The whole database as JSON lines (``claimtrace export --all``) and back (``claimtrace import``).

Line 1 is a header: ``{"claimtrace_export": 1, "revision": ..., "tables": {name: rows}}``; then
one ``{"table": name, "row": {column: value}}`` per row, tables in foreign-key order, rows in
primary-key order, ids kept. Dates and times are ISO 8601 (UTC). An import goes into an empty
database at the same schema revision, in one transaction: all of it or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import IO, Any

from alembic.migration import MigrationContext
from sqlalchemy import Connection, Date, DateTime, Engine, Table, func, insert, select, text

from app.models import Base

FORMAT_VERSION = 1
BATCH = 1_000


class DumpError(ValueError):
    """An export file that cannot be imported here; the message says why and what to do."""


def tables() -> list[Table]:
    """Every table of the models, parents before children."""
    return list(Base.metadata.sorted_tables)


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot export a {type(value).__name__}")


def export_lines(engine: Engine) -> Iterator[str]:
    """The header line, then one line per row of every table (newline-terminated)."""
    with engine.connect() as connection:
        counts = {t.name: connection.scalar(select(func.count()).select_from(t)) or 0 for t in tables()}
        header = {"claimtrace_export": FORMAT_VERSION, "revision": current_revision(connection), "tables": counts}
        yield json.dumps(header) + "\n"
        for table in tables():
            query = select(table).order_by(*table.primary_key.columns)
            for row in connection.execution_options(yield_per=BATCH).execute(query).mappings():
                yield json.dumps({"table": table.name, "row": dict(row)}, default=_json_default,
                                 ensure_ascii=False) + "\n"


def _converters(table: Table) -> dict[str, Callable[[Any], Any]]:
    converters: dict[str, Callable[[Any], Any]] = {}
    for column in table.columns:
        kind = column.type.impl if hasattr(column.type, "impl") else column.type
        if isinstance(kind, DateTime):
            converters[column.name] = datetime.fromisoformat
        elif isinstance(kind, Date):
            converters[column.name] = date.fromisoformat
    return converters


def read_header(line: str) -> dict[str, Any]:
    try:
        header = json.loads(line)
    except json.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("claimtrace_export") != FORMAT_VERSION:
        raise DumpError("not a Claimtrace export (line 1 is not its header); make one with 'claimtrace export --all'")
    return header


def import_lines(engine: Engine, lines: Iterable[str], progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Load an export into the empty database of ``engine``; returns the rows per table."""
    by_name = {t.name: t for t in tables()}
    converters = {name: _converters(t) for name, t in by_name.items()}
    counts: dict[str, int] = {}
    lines = iter(lines)
    header = read_header(next(lines, ""))
    with engine.begin() as connection:
        revision = current_revision(connection)
        if header.get("revision") != revision:
            raise DumpError(f"the export is of schema revision {header.get('revision')}, this database is at "
                            f"{revision}; migrate a database to the export's revision, import, then upgrade")
        filled = [t.name for t in tables() if connection.scalar(select(func.count()).select_from(t))]
        if filled:
            raise DumpError(f"the database is not empty ({', '.join(filled)} have rows); import into a new "
                            f"database ('claimtrace db upgrade' on an empty one)")
        batch: list[dict[str, Any]] = []
        batch_table: Table | None = None

        def flush() -> None:
            if batch:
                connection.execute(insert(batch_table), batch)
                if progress:
                    progress(len(batch))
                batch.clear()

        for number, line in enumerate(lines, start=2):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                table = by_name[record["table"]]
                row = {key: converters[table.name].get(key, lambda v: v)(value) if value is not None else None
                       for key, value in record["row"].items()}
            except (ValueError, KeyError, TypeError) as exc:
                raise DumpError(f"line {number}: not an export row ({type(exc).__name__}: {str(exc)[:100]})") from None
            if table is not batch_table or len(batch) >= BATCH:
                flush()
                batch_table = table
            batch.append(row)
            counts[table.name] = counts.get(table.name, 0) + 1
        flush()
        expected = {k: v for k, v in header.get("tables", {}).items() if v}
        if counts != expected:
            raise DumpError(f"the export is incomplete: header promises {expected}, found {counts}")
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection)
    return counts


def _reset_sequences(connection: Connection) -> None:
    """After inserting explicit ids, new rows must get ids past them."""
    for table in tables():
        for column in table.primary_key.columns:
            if column.autoincrement is True or (column.autoincrement == "auto" and column.type.python_type is int):
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                    f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"),
                    {"table": table.name, "column": column.name})


def write_export(engine: Engine, out: IO[str], progress: Callable[[int], None] | None = None) -> int:
    """Write the export to ``out``; returns the number of rows."""
    rows = -1
    for line in export_lines(engine):
        out.write(line)
        rows += 1
        if progress and rows:
            progress(1)
    return rows
