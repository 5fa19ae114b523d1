"""Migrations upgrade and downgrade cleanly on both databases and match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.db import engine_for
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
    tables = set(inspect(engine_for(settings)).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade(settings)
    assert set(Base.metadata.tables) <= set(inspect(engine_for(settings)).get_table_names())
    assert schema_diff(settings) == []
