"""Performance: a bounded sort key for PostgreSQL pages of claims sorted by text.

PostgreSQL B-trees cannot hold whole claims (up to 5,000 characters), so pages sorted by text
sorted every candidate. This index on the text's first 200 characters (byte order, ``COLLATE
"C"``) and the id gives them in order; ties on the prefix are put in full order as they are
read (incremental sort). In byte order a prefix never contradicts the whole text, so the order
is exactly ``text, id`` (the order SQLite's BINARY index gives). SQLite: nothing to do.

Revision ID: 0010_perf
Revises: 0009_search
Create Date: 2026-12-04 16:30:00.000000
"""
from __future__ import annotations

from alembic import op


revision = '0010_perf'
down_revision = '0009_search'
branch_labels = None
depends_on = None

PREFIX = 200  # app.services.claims.TEXT_SORT_PREFIX


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'CREATE INDEX ix_claims_text_prefix ON claims ((left(text, {PREFIX}) COLLATE "C"), id)')


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_claims_text_prefix")
