"""Batched search-index upkeep on SQLite: new claims enter the FTS5 index one statement per batch.

The row trigger of 0009 made every inserted claim its own FTS5 statement, and FTS5 writes its
pending terms out at each statement's savepoint: a report of 100 claims wrote 100 tiny index
segments (about 90 µs a claim, five times one INSERT … SELECT of the same rows). The trigger
now stands aside while ``claims_fts_sync.deferred`` is 1; ingestion sets it inside its own
transaction, inserts the claims, indexes them in one statement and clears it again (see
``app.services.search_index``). Any other writer (an import, a script) leaves the flag at 0 and
keeps the per-row trigger, so no path can leave a claim unindexed. SQLite has one writer at a
time, and the flag changes only inside that writer's transaction: no other connection ever
reads it set.

PostgreSQL: nothing to do (its trigram index has no trigger).

Revision ID: 0011_fts_batch
Revises: 0010_perf
Create Date: 2026-12-05 07:30:00.000000
"""
from __future__ import annotations

from alembic import op


revision = '0011_fts_batch'
down_revision = '0010_perf'
branch_labels = None
depends_on = None

ROW_TRIGGER = """CREATE TRIGGER claims_fts_insert AFTER INSERT ON claims {when}BEGIN
         INSERT INTO claims_fts(rowid, text) VALUES (NEW.id, NEW.text);
       END"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE TABLE claims_fts_sync (id INTEGER PRIMARY KEY CHECK (id = 1), "
               "deferred INTEGER NOT NULL DEFAULT 0 CHECK (deferred IN (0, 1)))")
    op.execute("INSERT INTO claims_fts_sync (id, deferred) VALUES (1, 0)")
    op.execute("DROP TRIGGER claims_fts_insert")
    # NOT EXISTS, not "= 0": without the row the trigger still indexes every claim.
    op.execute(ROW_TRIGGER.format(when="WHEN NOT EXISTS (SELECT 1 FROM claims_fts_sync WHERE deferred = 1)\n       "))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER claims_fts_insert")
    op.execute(ROW_TRIGGER.format(when=""))
    op.execute("DROP TABLE claims_fts_sync")
