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
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no sources"
    typer.echo(f"{len(done)} sources: {summary}")
    if missing:
        typer.echo(f"missing (offline, not cached): {' '.join(missing)}", err=True)
    if any(status in ("failed", "missing") for status in counts):
        raise typer.Exit(1)


@sources_app.command("add")
def add(
    arxiv_id: Annotated[str, typer.Argument(help="the arXiv id the copy stands for, e.g. 2005.13013v2")],
    file: Annotated[Path, typer.Option("--file", help="a PDF, HTML or plain-text copy of the paper")],
) -> None:
    """Attach a local copy of a paper (air-gapped sites, papers behind a proxy); no network."""
    from app.db import session_scope
    from app.errors import AppError
    from app.services.sources import attach_source_file

    settings = get_settings()
    try:
        with session_scope(settings) as session:
            source = attach_source_file(session, settings, arxiv_id, file)
            typer.echo(_line(source))
    except AppError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
