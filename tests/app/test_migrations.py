"""Migrations upgrade and downgrade cleanly on both databases and match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.db import dispose_engine, engine_for, make_engine
from app.migrate import downgrade, upgrade
from app.models import Base
from app.models.search import include_name


def schema_diff(settings) -> list:
    with engine_for(settings).connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
        return compare_metadata(context, Base.metadata)


def test_models_match_migrations(settings) -> None:
    assert schema_diff(settings) == []


def test_downgrade_to_base_and_upgrade_again(settings) -> None:
    downgrade(settings, "base")
    dispose_engine(settings.sqlalchemy_url)  # a fresh shared engine would migrate SQLite again
    raw = make_engine(settings.sqlalchemy_url)
    tables = set(inspect(raw).get_table_names()) - {"alembic_version"}
    raw.dispose()
    assert tables == set()
    upgrade(settings)
    assert set(Base.metadata.tables) <= set(inspect(engine_for(settings)).get_table_names())
    assert schema_diff(settings) == []
