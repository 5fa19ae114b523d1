"""Search and status: indexed claim text search; each mention's latest verdict kept by triggers.

SQLite: an FTS5 trigram table over claims.text (LIKE '%q%' uses it), synced by triggers, and an
index on (text, id) for pages sorted by text.
PostgreSQL: the pg_trgm extension and a GIN trigram index on claims.text (ILIKE uses it).
Both: claim_mentions.latest_verification_id / latest_verdict / latest_confidence, backfilled
here and maintained by triggers on verifications (insert, update of the verdict, delete).

Revision ID: 0009_search
Revises: 0006_access
Create Date: 2026-12-04 13:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009_search'
down_revision = '0008_verdicts'
branch_labels = None
depends_on = None

_LATEST = "(SELECT {col} FROM verifications v WHERE v.mention_id = claim_mentions.id ORDER BY v.id DESC LIMIT 1)"
BACKFILL = ("UPDATE claim_mentions SET latest_verification_id = " + _LATEST.format(col="v.id")
            + ", latest_verdict = " + _LATEST.format(col="v.verdict")
            + ", latest_confidence = " + _LATEST.format(col="v.confidence"))

SQLITE = [
    # Keyset pages sorted by text (PostgreSQL cannot index unbounded text in a B-tree: claims run
    # to 5,000 characters, over its index row limit, so it sorts the candidates instead).
    "CREATE INDEX ix_claims_text_id ON claims (text, id)",
    "CREATE VIRTUAL TABLE claims_fts USING fts5(text, content='claims', content_rowid='id', tokenize='trigram')",
    "INSERT INTO claims_fts(claims_fts) VALUES ('rebuild')",
    """CREATE TRIGGER claims_fts_insert AFTER INSERT ON claims BEGIN
         INSERT INTO claims_fts(rowid, text) VALUES (NEW.id, NEW.text);
       END""",
    """CREATE TRIGGER claims_fts_delete AFTER DELETE ON claims BEGIN
         INSERT INTO claims_fts(claims_fts, rowid, text) VALUES ('delete', OLD.id, OLD.text);
       END""",
    """CREATE TRIGGER claims_fts_update AFTER UPDATE OF text ON claims BEGIN
         INSERT INTO claims_fts(claims_fts, rowid, text) VALUES ('delete', OLD.id, OLD.text);
         INSERT INTO claims_fts(rowid, text) VALUES (NEW.id, NEW.text);
       END""",
    """CREATE TRIGGER verifications_latest_insert AFTER INSERT ON verifications BEGIN
         UPDATE claim_mentions SET latest_verification_id = NEW.id, latest_verdict = NEW.verdict,
                                   latest_confidence = NEW.confidence
          WHERE id = NEW.mention_id AND (latest_verification_id IS NULL OR latest_verification_id <= NEW.id);
       END""",
    """CREATE TRIGGER verifications_latest_update AFTER UPDATE OF verdict, confidence ON verifications BEGIN
         UPDATE claim_mentions SET latest_verdict = NEW.verdict, latest_confidence = NEW.confidence
          WHERE id = NEW.mention_id AND latest_verification_id = NEW.id;
       END""",
    """CREATE TRIGGER verifications_latest_delete AFTER DELETE ON verifications BEGIN
         UPDATE claim_mentions SET
           latest_verification_id = (SELECT max(v.id) FROM verifications v WHERE v.mention_id = OLD.mention_id),
           latest_verdict = (SELECT v.verdict FROM verifications v WHERE v.mention_id = OLD.mention_id
                             ORDER BY v.id DESC LIMIT 1),
           latest_confidence = (SELECT v.confidence FROM verifications v WHERE v.mention_id = OLD.mention_id
                                ORDER BY v.id DESC LIMIT 1)
          WHERE id = OLD.mention_id AND latest_verification_id = OLD.id;
       END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS verifications_latest_delete",
    "DROP TRIGGER IF EXISTS verifications_latest_update",
    "DROP TRIGGER IF EXISTS verifications_latest_insert",
    "DROP TRIGGER IF EXISTS claims_fts_update",
    "DROP TRIGGER IF EXISTS claims_fts_delete",
    "DROP TRIGGER IF EXISTS claims_fts_insert",
    "DROP TABLE IF EXISTS claims_fts",
    "DROP INDEX IF EXISTS ix_claims_text_id",
]

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_claims_text_trgm ON claims USING gin (text gin_trgm_ops)",
    """CREATE FUNCTION claimtrace_mention_latest() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'INSERT' THEN
           UPDATE claim_mentions SET latest_verification_id = NEW.id, latest_verdict = NEW.verdict,
                                     latest_confidence = NEW.confidence
            WHERE id = NEW.mention_id AND (latest_verification_id IS NULL OR latest_verification_id <= NEW.id);
         ELSIF TG_OP = 'UPDATE' THEN
           UPDATE claim_mentions SET latest_verdict = NEW.verdict, latest_confidence = NEW.confidence
            WHERE id = NEW.mention_id AND latest_verification_id = NEW.id;
         ELSE
           UPDATE claim_mentions m SET latest_verification_id = v.id, latest_verdict = v.verdict,
                                       latest_confidence = v.confidence
             FROM (SELECT OLD.mention_id AS mention_id) AS o
             LEFT JOIN LATERAL (SELECT id, verdict, confidence FROM verifications
                                 WHERE mention_id = o.mention_id ORDER BY id DESC LIMIT 1) v ON true
            WHERE m.id = o.mention_id AND m.latest_verification_id = OLD.id;
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER verifications_latest_insert AFTER INSERT ON verifications
       FOR EACH ROW EXECUTE FUNCTION claimtrace_mention_latest()""",
    """CREATE TRIGGER verifications_latest_update AFTER UPDATE OF verdict, confidence ON verifications
       FOR EACH ROW EXECUTE FUNCTION claimtrace_mention_latest()""",
    """CREATE TRIGGER verifications_latest_delete AFTER DELETE ON verifications
       FOR EACH ROW EXECUTE FUNCTION claimtrace_mention_latest()""",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS verifications_latest_delete ON verifications",
    "DROP TRIGGER IF EXISTS verifications_latest_update ON verifications",
    "DROP TRIGGER IF EXISTS verifications_latest_insert ON verifications",
    "DROP FUNCTION IF EXISTS claimtrace_mention_latest()",
    "DROP INDEX IF EXISTS ix_claims_text_trgm",
]


def upgrade() -> None:
    with op.batch_alter_table('claim_mentions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latest_verification_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('latest_verdict', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('latest_confidence', sa.Double(), nullable=True))
        batch_op.create_index(batch_op.f('ix_claim_mentions_latest_verdict'), ['latest_verdict', 'claim_id'],
                              unique=False)
    op.execute(BACKFILL)
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    for statement in SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else POSTGRESQL_DOWN:
        op.execute(statement)
    with op.batch_alter_table('claim_mentions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_mentions_latest_verdict'))
        batch_op.drop_column('latest_confidence')
        batch_op.drop_column('latest_verdict')
        batch_op.drop_column('latest_verification_id')

