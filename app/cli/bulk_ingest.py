"""`claimtrace ingest`: report files parsed ahead in other processes while this one stores them.

Parsing a report of 100 claims (and folding and hashing each claim's wording) takes about a
quarter of what storing it does (2.3 against 7.5–10 ms on SQLite), and it needs no database. With more than one CPU and more files
than one parse task holds, child processes parse the files in order, up to ``PARSE_AHEAD_BYTES``
of files ahead, while this process stores the batches. The children are forked (cheap) and only
parse: they never use a database connection. Output and its order are the same either way.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import typer

from app.cli.errors import fail
from app.ingest_steps import store_group
from app.services.reports import BULK_BATCH_CLAIMS, parse_report_bytes
from app.settings import Settings, get_settings
from verifier.reports import ParsedReport, ReportParseError

PARSE_CHUNK = 16  # files per parse task
# Files parsed ahead of the store, by size: more than one stored batch's worth for typical reports
# (else the store waits for the parser after each batch), and a bound on the memory they take.
PARSE_AHEAD_BYTES = 64 << 20
MAX_PARSE_PROCESSES = 4
REPORT_SUFFIXES = {".txt", ".md"}


@dataclass(frozen=True, slots=True)
class ParseFailure:
    """Why a file was not parsed, as ``FILE:LINE: MESSAGE`` says it."""

    line: int | None
    message: str


def ingest_files(paths: list[Path]) -> int:
    """Ingest the report files in batches of up to ``BULK_BATCH_CLAIMS`` claims, one transaction
    each (a batch that hits a database error is stored again file by file); returns the number
    of files that could not be read, parsed or stored. Nothing of a file that fails is stored."""
    settings = get_settings()
    failures, batch, claims = 0, [], 0
    for path, parsed in parsed_files(report_files(paths), settings):
        if isinstance(parsed, ParseFailure):
            failures += 1
            where = f"{path}:{parsed.line}" if parsed.line is not None else str(path)
            typer.echo(f"{where}: {parsed.message}", err=True)
            continue
        batch.append((path, parsed))
        claims += len(parsed.claims)
        if claims >= BULK_BATCH_CLAIMS:
            failures += _store_batch(settings, batch)
            batch, claims = [], 0
    return failures + _store_batch(settings, batch)


def report_files(paths: list[Path]) -> list[Path]:
    """The files named, and the report files (.txt, .md) in the folders named, sorted per folder."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in REPORT_SUFFIXES and p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            fail(f"{path}: no such file or directory")
    return files


def parsed_files(paths: list[Path], settings: Settings) -> Iterator[tuple[Path, ParsedReport | ParseFailure]]:
    """Each file with its parsed report (or why not), in the order given."""
    processes = min(_usable_cpus() - 1, MAX_PARSE_PROCESSES)
    chunks = [paths[start:start + PARSE_CHUNK] for start in range(0, len(paths), PARSE_CHUNK)]
    if processes < 1 or len(chunks) < 2:
        for path in paths:
            yield path, parse_file(path, settings)
        return
    context = multiprocessing.get_context("fork")  # cheap; the children only parse, never touch the database
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_ignore_interrupts) as pool:
        try:
            for chunk, results in zip(chunks, _ahead(pool, chunks, settings)):
                yield from zip(chunk, results)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _ahead(pool: Executor, chunks: Iterable[list[Path]],
           settings: Settings) -> Iterator[list[ParsedReport | ParseFailure]]:
    """The chunks' results in order, submitted ahead while the files submitted and not yet
    taken stay under ``PARSE_AHEAD_BYTES`` (always at least one chunk)."""
    pending: deque[tuple[Future, int]] = deque()
    in_flight = 0
    for chunk in chunks:
        size = sum(_size(path) for path in chunk)
        while pending and in_flight + size > PARSE_AHEAD_BYTES:
            future, taken = pending.popleft()
            in_flight -= taken
            yield future.result()
        pending.append((pool.submit(parse_chunk, chunk, settings), size))
        in_flight += size
    while pending:
        yield pending.popleft()[0].result()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # parse_file says why
        return 0


def parse_chunk(paths: list[Path], settings: Settings) -> list[ParsedReport | ParseFailure]:
    return [parse_file(path, settings) for path in paths]


def parse_file(path: Path, settings: Settings) -> ParsedReport | ParseFailure:
    """The file's report, or why it cannot be ingested (its line, for a parse error)."""
    try:
        return parse_report_bytes(path.read_bytes(), settings)
    except ReportParseError as exc:
        return ParseFailure(exc.line, exc.message)
    except OSError as exc:
        return ParseFailure(None, f"cannot read the file ({exc.strerror or exc})")


def _usable_cpus() -> int:
    affinity = getattr(os, "sched_getaffinity", None)  # Linux: the CPUs this process may use
    return len(affinity(0)) if affinity else os.cpu_count() or 1


def _ignore_interrupts() -> None:
    """In a parsing child: Ctrl-C is the parent's to handle (it stops the pool)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _store_batch(settings: Settings, batch: list[tuple[Path, ParsedReport]]) -> int:
    """Store the batch (one transaction; file by file after a database error) and report each
    file; returns how many could not be stored."""
    failures = 0
    for (path, _), result in zip(batch, store_group(settings, [parsed for _, parsed in batch]), strict=True):
        if isinstance(result, Exception):
            failures += 1
            typer.echo(f"{path}: not stored: {type(result).__name__}: {str(result).splitlines()[0]}", err=True)
            continue
        state = "ingested" if result.created else "already ingested"
        typer.echo(f"{path}: {state} as report {result.report_id} ({result.claims} claims)")
        for warning in result.warnings:
            typer.echo(f"{path}: warning: {warning}", err=True)
    return failures
