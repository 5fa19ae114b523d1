"""Any command that needs the database finds it usable: SQLite is created and migrated on first
use; a PostgreSQL database behind the migrations is a one-line error naming `db upgrade`."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from app.db import dispose_engine, engine_for, make_engine
from app.migrate import SchemaBehindError, downgrade, upgrade
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
REPORT = sorted((ROOT / "examples" / "reports").glob("*.txt"))[0]


def test_ingest_on_a_fresh_data_dir_creates_the_database(cli, tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    env = {"CLAIMTRACE_DATA_DIR": str(data), "CLAIMTRACE_DATABASE_URL": ""}
    result = cli("ingest", str(REPORT), env=env)
    assert result.returncode == 0, result.stderr
    assert "ingested as report 1" in result.stdout and "Traceback" not in result.stderr
    engine = make_engine(f"sqlite:///{data / 'claimtrace.db'}")
    assert "reports" in inspect(engine).get_table_names()
    engine.dispose()


def test_sqlite_behind_the_migrations_is_migrated_on_first_use(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'old.db'}", data_dir=tmp_path)
    upgrade(settings, "0006_access")
    try:
        columns = {c["name"] for c in inspect(engine_for(settings)).get_columns("verifications")}
        assert {"unread_sources", "cited_sources"} <= columns
    finally:
        dispose_engine(settings.sqlalchemy_url)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_behind_the_migrations_names_db_upgrade(settings: Settings, cli) -> None:
    dispose_engine(settings.sqlalchemy_url)
    downgrade(settings, "0006_access")
    with pytest.raises(SchemaBehindError, match="run `claimtrace db upgrade`"):
        engine_for(settings)
    result = cli("ingest", str(REPORT))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "error: the database is behind the migrations (at 0006_access, latest ")
    assert lines[0].endswith("run `claimtrace db upgrade`")
    upgrade(settings)
    assert cli("ingest", str(REPORT)).returncode == 0


def test_the_fast_schema_check_knows_the_newest_migration() -> None:
    """``SCHEMA_HEAD`` lets commands skip Alembic on a database that is up to date: it must be
    the head of the migration scripts, or a database one migration behind would pass as current."""
    from alembic.script import ScriptDirectory

    from app.migrate import SCHEMA_HEAD, alembic_config

    script = ScriptDirectory.from_config(alembic_config(Settings(database_url="sqlite://")))
    assert script.get_heads() == [SCHEMA_HEAD]
