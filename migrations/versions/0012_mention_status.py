"""SQLite: a page's latest verdicts read from one covering index.

A page of claims reads its statuses with one query grouped by claim and verdict
(``app.services.verdicts``). On SQLite the claim_id index found each mention and then read
its row from the table for the verdict and confidence; for claims that many reports make, that
was most of the query. This index holds everything the query reads, in group order. PostgreSQL:
nothing to do (measured: its index-only scan was no faster than the claim_id index there, the
round trip dominates).

Revision ID: 0012_mention_status
Revises: 0011_fts_batch
Create Date: 2026-12-07 19:45:00.000000
"""
from __future__ import annotations

from alembic import op


revision = '0012_mention_status'
down_revision = '0011_fts_batch'
branch_labels = None
depends_on = None

INDEX = "ix_claim_mentions_status"  # app.models.search.MENTION_STATUS_INDEX


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE INDEX {INDEX} ON claim_mentions "
                   "(claim_id, latest_verdict, latest_verification_id, latest_confidence)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
