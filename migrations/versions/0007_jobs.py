"""Jobs that survive faults: attempts, the worker and process running them, dedupe keys;
one verification per mention and job.

Revision ID: 0007_jobs
Revises: 0006_access
Create Date: 2026-12-04 13:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007_jobs'
down_revision = '0006_access'
branch_labels = None
depends_on = None

PENDING = sa.text("status IN ('queued', 'running')")
WITH_JOB = sa.text("job_id IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('worker', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('pid', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=200), nullable=True))
    # A job re-queued after its worker died keeps its attempts; one started before this
    # migration counts as started once.
    op.execute("UPDATE jobs SET attempts = 1 WHERE started_at IS NOT NULL")
    op.create_index('uq_jobs_pending_dedupe_key', 'jobs', ['dedupe_key'], unique=True,
                    sqlite_where=PENDING, postgresql_where=PENDING)
    op.create_index('uq_verifications_job_mention', 'verifications', ['job_id', 'mention_id'], unique=True,
                    sqlite_where=WITH_JOB, postgresql_where=WITH_JOB)


def downgrade() -> None:
    op.drop_index('uq_verifications_job_mention', table_name='verifications')
    op.drop_index('uq_jobs_pending_dedupe_key', table_name='jobs')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('dedupe_key')
        batch_op.drop_column('pid')
        batch_op.drop_column('worker')
        batch_op.drop_column('attempts')
