"""The `claimtrace` command: one Typer app, sub-commands registered from small modules."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from app.cli import dump, replicate, sources, verify, xtreme
from app.cli.tokens import tokens_app
from app.cli.errors import fail
from app.settings import get_settings

app = typer.Typer(name="claimtrace", no_args_is_help=True, add_completion=False,
                  help="Check what research reports claim against the arXiv sources they cite.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema (Alembic migrations).")
export_app = typer.Typer(help="Export stored data: claim rows ('export claims') or everything ('export --all').")
app.add_typer(db_app, name="db")
app.add_typer(export_app, name="export")

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_REPORTS = PROJECT_ROOT / "examples" / "reports"
REPORT_SUFFIXES = {".txt", ".md"}



@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="target revision")] = "head") -> None:
    """Create or migrate the database schema to REVISION (default: the latest)."""
    from app.migrate import upgrade

    settings = get_settings()
    upgrade(settings, revision)
    typer.echo(f"database at {revision}: {settings.sqlalchemy_url}")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="target revision, e.g. base")]) -> None:
    """Migrate the database schema down to REVISION."""
    from app.migrate import downgrade

    downgrade(get_settings(), revision)
    typer.echo(f"database at {revision}")


def _report_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in REPORT_SUFFIXES and p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            fail(f"{path}: no such file or directory")
    return files


def ingest_files(paths: list[Path]) -> int:
    """Ingest each file in its own transaction; returns the number of files that failed."""
    from app.db import session_scope
    from app.services.reports import ingest_parsed, parse_report_bytes
    from verifier.reports import ReportParseError

    settings = get_settings()
    failures = 0
    for path in _report_files(paths):
        try:
            parsed = parse_report_bytes(path.read_bytes(), settings)
        except ReportParseError as exc:
            failures += 1
            typer.echo(f"{path}:{exc.line}: {exc.message}", err=True)
            continue
        with session_scope(settings) as session:
            result = ingest_parsed(session, parsed)
        state = "ingested" if result.created else "already ingested"
        typer.echo(f"{path}: {state} as report {result.report_id} ({result.claims} claims)")
        for warning in result.warnings:
            typer.echo(f"{path}: warning: {warning}", err=True)
    return failures


@app.command("ingest")
def ingest(paths: Annotated[list[Path], typer.Argument(help="report files or folders of them")]) -> None:
    """Ingest reports; a malformed file is reported as FILE:LINE: MESSAGE and nothing of it is stored."""
    if ingest_files(paths):
        raise typer.Exit(1)


@export_app.callback(invoke_without_command=True)
def export_main(
    ctx: typer.Context,
    everything: Annotated[bool, typer.Option("--all", help="the whole database as JSON lines (for 'claimtrace import')")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file (default: stdout)")] = None,
) -> None:
    """Export stored data: `export claims` (one row per mention) or `export --all` (everything)."""
    if ctx.invoked_subcommand is not None:
        return
    if not everything:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    dump.export_all(output)


@export_app.command("claims")
def export_claims(
    fmt: Annotated[str, typer.Option("--format", help="json | jsonl | csv")] = "json",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file (default: stdout)")] = None,
) -> None:
    """Export one row per claim mention with stated and measured verdicts."""
    from app.db import session_scope
    from app.services.export import claim_rows, write_rows

    if fmt not in ("json", "jsonl", "csv"):
        fail(f"unknown format {fmt!r}; use json, jsonl or csv")
    with session_scope(get_settings()) as session:
        if output is None:
            write_rows(claim_rows(session), fmt, sys.stdout)  # type: ignore[arg-type]
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                count = write_rows(claim_rows(session), fmt, handle)
            typer.echo(f"{count} rows written to {output}", err=True)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to bind")] = 8000,
    worker: Annotated[bool, typer.Option(help="run a job worker in this process")] = True,
) -> None:
    """Serve the API (and, by default, a local job worker); logs are JSON lines on stderr."""
    import uvicorn

    from app.logs import configure_logging
    from app.main import create_app
    from app.security.binding import settings_for_bind

    settings, warnings = settings_for_bind(get_settings(), host)
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)
    configure_logging()
    uvicorn.run(create_app(settings, run_worker=worker), host=host, port=port, log_config=None, access_log=False)


@app.command("worker")
def worker_command(
    drain: Annotated[bool, typer.Option("--drain", help="run queued jobs, then exit")] = False,
) -> None:
    """Run queued jobs (fetch, verify, replicate) until stopped."""
    import threading

    from app.jobs import worker

    settings = get_settings()
    if drain:
        typer.echo(f"{worker.drain(settings)} jobs run")
        return
    stop = threading.Event()
    try:
        worker.run_worker(settings, stop)
    except KeyboardInterrupt:
        stop.set()


@app.command("up")
def up(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to bind")] = 8000,
    serve_api: Annotated[bool, typer.Option("--serve/--no-serve", help="start the API afterwards")] = True,
) -> None:
    """Migrate the database, ingest examples/reports/, print your API token, then serve the API and a worker."""
    from app.migrate import upgrade
    from app.security.local import LOCAL_TOKEN_FILE, LOCAL_ROLE, ensure_local_token

    settings = get_settings()
    upgrade(settings)
    typer.echo(f"database ready: {settings.sqlalchemy_url}")
    if EXAMPLE_REPORTS.is_dir() and ingest_files([EXAMPLE_REPORTS]):
        raise typer.Exit(1)
    token, created = ensure_local_token(settings)
    typer.echo(f"your {LOCAL_ROLE} API token ({'new' if created else 'kept'} in "
               f"{settings.data_dir / LOCAL_TOKEN_FILE}, mode 0600): {token}")
    typer.echo("  use it as 'Authorization: Bearer <token>', or sign in with it on the web pages")
    if serve_api:
        typer.echo(f"serving on http://{host}:{port} (API docs at /docs)")
        serve(host=host, port=port, worker=True)


# Commands of the domain issues live in their own modules.
app.command("xtreme-score")(xtreme.xtreme_score)
app.add_typer(xtreme.xtreme_app, name="xtreme")
app.command("replicate")(replicate.replicate)
app.command("verify")(verify.verify)
app.command("eval-verifier")(verify.eval_verifier)
app.add_typer(sources.sources_app, name="sources")
app.add_typer(verify.verifier_app, name="verifier")
app.add_typer(tokens_app, name="tokens")
app.command("import")(dump.import_command)


def main() -> None:
    app()
