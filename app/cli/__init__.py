"""The `claimtrace` command: one Typer app, sub-commands registered from small modules."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from app.cli import dump, jobs, replicate, sources, verify, xtreme
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


@app.command("ingest")
def ingest(paths: Annotated[list[Path], typer.Argument(help="report files or folders of them")]) -> None:
    """Ingest reports; a malformed file is reported as FILE:LINE: MESSAGE and nothing of it is stored."""
    from app.cli.bulk_ingest import ingest_files

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
app.command("serve")(jobs.serve)
app.command("worker")(jobs.worker)
app.command("up")(jobs.up)


def main() -> None:
    from app.migrate import SchemaBehindError

    try:
        app()
    except SchemaBehindError as exc:  # one line, no traceback: it says what to run
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
