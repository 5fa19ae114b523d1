"""`claimtrace tokens`: create (shown once), list and revoke API tokens."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from app.cli.errors import fail
from app.settings import get_settings

tokens_app = typer.Typer(no_args_is_help=True, help="API tokens: create (shown once), list, revoke.")


@tokens_app.command("create")
def create(
    role: Annotated[str, typer.Option("--role", help="viewer (reads), editor (+ ingest, fetch, verify, replicate) "
                                                     "or admin (+ tokens, cancel anyone's jobs)")],
    name: Annotated[str, typer.Option("--name", help="who or what uses it, e.g. 'ci' or 'alice laptop'")],
) -> None:
    """Create a token; it is printed once on stdout (only its hash is stored)."""
    from app.db import session_scope
    from app.security.tokens import create_token

    if role not in ("viewer", "editor", "admin"):
        fail(f"unknown role {role!r}; use viewer, editor or admin")
    try:
        with session_scope(get_settings()) as session:
            created = create_token(session, role=role, name=name)
    except ValueError as exc:
        fail(str(exc))
    typer.echo(f"created {role} token {created.row.id} ({created.row.name}); it is shown only now, store it safely:",
               err=True)
    typer.echo(created.token)


@tokens_app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="one JSON object per token")] = False) -> None:
    """Every token: id, role, name, first characters, created, last used, revoked."""
    from app.db import session_scope
    from app.schemas.tokens import TokenOut
    from app.security.tokens import list_tokens

    with session_scope(get_settings()) as session:
        rows = [TokenOut.model_validate(t) for t in list_tokens(session)]
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row.model_dump(mode="json")))
        return
    if not rows:
        typer.echo("no tokens; create one with: claimtrace tokens create --role editor --name NAME", err=True)
        return
    when = lambda t: t.strftime("%Y-%m-%d %H:%M") if t else "-"  # noqa: E731
    typer.echo(f"{'ID':>4}  {'ROLE':<7} {'PREFIX':<11} {'CREATED':<17} {'LAST USED':<17} {'REVOKED':<17} NAME")
    for t in rows:
        typer.echo(f"{t.id:>4}  {t.role:<7} {t.prefix:<11} {when(t.created_at):<17} {when(t.last_used_at):<17} "
                   f"{when(t.revoked_at):<17} {t.name}")


@tokens_app.command("revoke")
def revoke(token_id: Annotated[int, typer.Argument(help="the token's ID (see 'claimtrace tokens list')")]) -> None:
    """Revoke a token: it stops working at once, web sessions made with it too."""
    from app.db import session_scope
    from app.errors import AppError
    from app.security.tokens import revoke_token

    try:
        with session_scope(get_settings()) as session:
            row = revoke_token(session, token_id)
            name = row.name
    except AppError as exc:
        fail(exc.message)
    typer.echo(f"revoked token {token_id} ({name})")
