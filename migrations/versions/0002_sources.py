"""Sources: fetched version, text kind, files and warnings; the passages table.

Revision ID: 0002_sources
Revises: 0001_foundation
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_sources"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fetched_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("text_kind", sa.String(length=16), nullable=True))
        # Existing rows get an empty list; new rows get theirs from the model.
        batch_op.add_column(sa.Column("files", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column("warnings", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.alter_column("files", server_default=None, existing_type=sa.JSON(), existing_nullable=False)
        batch_op.alter_column("warnings", server_default=None, existing_type=sa.JSON(), existing_nullable=False)

    op.create_table(
        "passages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("char_start", sa.Integer(), nullable=False),
        sa.Column("char_end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name=op.f("fk_passages_source_id_sources"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passages")),
        sa.UniqueConstraint("source_id", "index", name=op.f("uq_passages_source_id")),
    )


def downgrade() -> None:
    op.drop_table("passages")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("warnings")
        batch_op.drop_column("files")
        batch_op.drop_column("text_kind")
        batch_op.drop_column("fetched_version")
