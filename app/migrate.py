"""Running Alembic from code (``claimtrace db upgrade``, ``claimtrace up``, tests)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.settings import Settings

if TYPE_CHECKING:
    from alembic.config import Config

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The newest migration. A database already there is checked with one query, without loading
# Alembic (a fifth of a CLI command's start-up); a test keeps this equal to the scripts' head.
SCHEMA_HEAD = "0012_mention_status"


def migrations_dir() -> Path:
    """The Alembic scripts: beside the sources (a checkout) or in the working directory (an image)."""
    for candidate in (PROJECT_ROOT / "migrations", Path.cwd() / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("Alembic migrations not found; run from the Claimtrace source folder")


def alembic_config(settings: Settings) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["url"] = settings.sqlalchemy_url
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    if settings.sqlalchemy_url.startswith("sqlite"):
        settings.ensure_data_dir()
    from alembic import command

    command.upgrade(alembic_config(settings), revision)


def downgrade(settings: Settings, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(settings), revision)


class SchemaBehindError(RuntimeError):
    """The database's schema is not the one this code expects (and cannot be migrated here)."""


def _revisions(config: Config, connection) -> tuple[set[str], set[str], set[str]]:
    """(current heads of the database, heads of the scripts, every known revision)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(config)
    known = {rev.revision for rev in script.walk_revisions()}
    current = set(MigrationContext.configure(connection).get_current_heads())
    return current, set(script.get_heads()), known


def ensure_schema(settings: Settings, engine) -> None:  # noqa: ANN001 - sqlalchemy.Engine
    """Make the database usable by any command: the embedded SQLite database is created and
    migrated on first use; a PostgreSQL database behind the migrations is a one-line error
    naming the fix (migrating a shared server is an operator's decision)."""
    if _at_schema_head(engine):
        return
    config = alembic_config(settings)
    with engine.connect() as connection:
        current, heads, known = _revisions(config, connection)
    if current == heads:
        return
    if current - known:
        raise SchemaBehindError(
            f"the database is at revision {', '.join(sorted(current))}, which this version of "
            "Claimtrace does not know (a newer release migrated it): upgrade Claimtrace")
    if settings.sqlalchemy_url.startswith("sqlite"):
        upgrade(settings)
        return
    at = ", ".join(sorted(current)) or "an empty schema"
    raise SchemaBehindError(
        f"the database is behind the migrations (at {at}, latest {', '.join(sorted(heads))}): "
        "run `claimtrace db upgrade`")


def _at_schema_head(engine) -> bool:  # noqa: ANN001 - sqlalchemy.Engine
    """Whether the database's one recorded revision is ``SCHEMA_HEAD`` (False when it has no
    version table yet: Alembic then looks closer)."""
    try:
        with engine.connect() as connection:
            return set(connection.scalars(text("SELECT version_num FROM alembic_version"))) == {SCHEMA_HEAD}
    except DBAPIError:
        return False
