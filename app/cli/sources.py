"""`claimtrace sources ...`: fetch the cited arXiv papers, or attach local copies of them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from app.settings import get_settings

sources_app = typer.Typer(no_args_is_help=True, help="The cited arXiv papers: fetch them or attach local copies.")


def _line(source) -> str:  # noqa: ANN001 - app.models.Source, imported lazily
    from app.services.sources import version_notice

    if source.status == "fetched":
        detail = f"{source.passage_count} passages from {source.text_kind} (v{source.effective_version})"
        if notice := version_notice(source):
            detail += f"; {notice}"
    else:
        detail = source.error or ""
    return f"{source.key}: {source.status}: {detail}"


@sources_app.command("fetch")
def fetch(
    report: Annotated[int | None, typer.Option("--report", help="only the sources this report cites")] = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="fetch again even if already fetched")] = False,
) -> None:
    """Fetch metadata and version-pinned full text of the cited sources (cached; polite to arXiv).

    With CLAIMTRACE_OFFLINE=1 nothing is downloaded and uncached sources are reported missing.
    Exits with status 1 when any source ends failed or missing.
    """
    from app.db import session_scope
    from app.errors import AppError
    from app.services.reports import get_report
    from app.services.sources import fetch_sources

    settings = get_settings()
    with session_scope(settings) as session:
        if report is not None:
            try:
                get_report(session, report)
            except AppError as exc:
                typer.echo(f"error: {exc.message}", err=True)
                raise typer.Exit(1) from None
        done = fetch_sources(session, settings, report_id=report, refresh=refresh,
                             on_done=lambda s: typer.echo(_line(s)))
        counts = Counter(source.status for source in done)
        missing = [s.key for s in done if s.status == "missing"]
        unreachable = [s.key for s in done if s.status == "failed" and (s.error or "").startswith(
            "arXiv unreachable")]
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no sources"
    typer.echo(f"{len(done)} sources: {summary}")
    if missing:
        typer.echo(f"missing (offline, not cached): {' '.join(missing)}", err=True)
    if unreachable:
        typer.echo(f"arXiv is unreachable from this machine ({len(unreachable)} sources not fetched). "
                   "Attach local copies: `claimtrace sources add ID --file PATH`, or a folder of files "
                   "named by arXiv id: `claimtrace sources add --folder DIR`; set CLAIMTRACE_OFFLINE=1 "
                   "to work from the cache without trying the network.", err=True)
    if any(status in ("failed", "missing") for status in counts):
        raise typer.Exit(1)


COPY_SUFFIXES = (".pdf", ".html", ".htm", ".txt", ".md")


@sources_app.command("add")
def add(
    arxiv_id: Annotated[str | None, typer.Argument(help="the arXiv id the copy stands for, e.g. 2005.13013v2")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="a PDF, HTML or plain-text copy of the paper")] = None,
    folder: Annotated[Path | None, typer.Option(
        "--folder", file_okay=False, exists=True,
        help="a folder of copies named by arXiv id (2005.13013v2.pdf, 2104.07412.txt, hep-th_9901001.pdf)")] = None,
) -> None:
    """Attach local copies of papers (air-gapped sites, papers behind a proxy); no network.

    Warns when an attached text does not match the paper's known title or abstract."""
    if folder is not None and (file is not None or arxiv_id is not None):
        _fail("give either ID --file PATH or --folder DIR, not both")
    if folder is None and (file is None or arxiv_id is None):
        _fail("give ID --file PATH (one paper) or --folder DIR (files named by arXiv id)")
    pairs = _folder_copies(folder) if folder is not None else [(arxiv_id, file)]
    failures = sum(not _attach(key, path) for key, path in pairs)
    if folder is not None:
        typer.echo(f"{len(pairs) - failures} of {len(pairs)} copies attached from {folder}")
    if failures:
        raise typer.Exit(1)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _folder_copies(folder: Path) -> list[tuple[str, Path]]:
    """(arXiv id, file) for each copy in ``folder``; old-style ids use ``_`` for ``/``."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in COPY_SUFFIXES)
    if not files:
        _fail(f"{folder}: no .pdf, .html, .txt or .md files named by arXiv id")
    return [(p.stem.replace("_", "/"), p) for p in files]


def _attach(arxiv_id: str, path: Path) -> bool:
    """Attach one copy in its own transaction; print its line and any warning."""
    from app.db import session_scope
    from app.errors import AppError
    from app.services.sources import MISMATCH_PREFIX, attach_source_file

    settings = get_settings()
    try:
        with session_scope(settings) as session:
            source = attach_source_file(session, settings, arxiv_id, path)
            typer.echo(_line(source))
            for warning in source.warnings:
                if warning.startswith(MISMATCH_PREFIX):
                    typer.echo(f"warning: {source.key}: {warning}", err=True)
    except AppError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        return False
    return True
