"""Verification: verifier runs per claim mention and the evidence each run cites.

Revision ID: 0003_verification
Revises: 0002_sources
Create Date: 2026-11-23 01:30:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003_verification'
down_revision = '0002_sources'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('verifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mention_id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('verdict', sa.String(length=24), nullable=False),
    sa.Column('confidence', sa.Double(), nullable=False),
    sa.Column('probabilities', sa.JSON(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('version_notes', sa.JSON(), nullable=False),
    sa.Column('completed_text', sa.Text(), nullable=True),
    sa.Column('verifier_version', sa.String(length=64), nullable=False),
    sa.Column('model_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_verifications_claim_id_claims'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_verifications_job_id_jobs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mention_id'], ['claim_mentions.id'], name=op.f('fk_verifications_mention_id_claim_mentions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verifications'))
    )
    with op.batch_alter_table('verifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verifications_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_verifications_mention_id'), ['mention_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_verifications_verdict'), ['verdict'], unique=False)

    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('verification_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('source_key', sa.String(length=64), nullable=False),
    sa.Column('source_version', sa.Integer(), nullable=True),
    sa.Column('cited', sa.Boolean(), nullable=False),
    sa.Column('passage_index', sa.Integer(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.Column('char_start', sa.Integer(), nullable=False),
    sa.Column('char_end', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('retrieval_score', sa.Double(), nullable=False),
    sa.Column('stance', sa.String(length=16), nullable=False),
    sa.Column('stance_prob', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_evidence_source_id_sources'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['verification_id'], ['verifications.id'], name=op.f('fk_evidence_verification_id_verifications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_verification_id'), ['verification_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_verification_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_source_id'))

    op.drop_table('evidence')
    with op.batch_alter_table('verifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verifications_verdict'))
        batch_op.drop_index(batch_op.f('ix_verifications_mention_id'))
        batch_op.drop_index(batch_op.f('ix_verifications_claim_id'))

    op.drop_table('verifications')
