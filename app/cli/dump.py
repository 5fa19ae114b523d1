"""`claimtrace export --all` and `claimtrace import`: the whole database as JSON lines."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from app.cli.errors import fail
from app.settings import get_settings


def export_all(output: Path | None) -> None:
    """Write every table (JSON lines) to OUTPUT or stdout, with progress on stderr."""
    import json

    from app.db import engine_for
    from app.services.dump import export_lines

    lines = export_lines(engine_for(get_settings()))
    header = next(lines)
    total = sum(json.loads(header)["tables"].values())
    handle = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        with tqdm(total=total, unit="rows", desc="export", file=sys.stderr, mininterval=0.5) as bar:
            handle.write(header)
            for line in lines:
                handle.write(line)
                bar.update()
    finally:
        if output:
            handle.close()
    typer.echo(f"{total} rows exported" + (f" to {output}" if output else ""), err=True)


def import_command(
    path: Annotated[Path, typer.Argument(help="a file written by 'claimtrace export --all' ('-': stdin)")],
) -> None:
    """Load an export into an empty database at the same schema revision (all or nothing)."""
    import json

    from app.db import engine_for
    from app.services.dump import DumpError, import_lines

    if str(path) != "-" and not path.is_file():
        fail(f"{path}: no such file")
    handle = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    try:
        first = handle.readline()
        try:
            total = sum(json.loads(first)["tables"].values())
        except (ValueError, KeyError, TypeError, AttributeError):
            total = None
        with tqdm(total=total, unit="rows", desc="import", file=sys.stderr, mininterval=0.5) as bar:
            counts = import_lines(engine_for(get_settings()), _chain(first, handle), progress=bar.update)
    except DumpError as exc:
        fail(f"{path}: {exc}")
    finally:
        if handle is not sys.stdin:
            handle.close()
    typer.echo(f"imported {sum(counts.values())} rows: " + ", ".join(f"{k} {v}" for k, v in counts.items()), err=True)


def _chain(first: str, rest):
    yield first
    yield from rest
