"""Verdicts: ``unchecked`` runs (no confidence) and which cited sources had no text.

Revision ID: 0008_verdicts
Revises: 0006_access
Create Date: 2026-12-04 12:50:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008_verdicts'
down_revision = '0007_jobs'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('verifications', schema=None) as batch_op:
        batch_op.alter_column('confidence', existing_type=sa.Double(), nullable=True)
        batch_op.add_column(sa.Column('unread_sources', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('cited_sources', sa.Integer(), nullable=False,
                                      server_default=sa.text('0')))


def downgrade() -> None:
    # Unchecked runs have no confidence and are not verdicts: they cannot live in the old schema.
    op.execute("DELETE FROM verifications WHERE confidence IS NULL")
    with op.batch_alter_table('verifications', schema=None) as batch_op:
        batch_op.drop_column('cited_sources')
        batch_op.drop_column('unread_sources')
        batch_op.alter_column('confidence', existing_type=sa.Double(), nullable=False)
