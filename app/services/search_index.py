"""SQLite's claim search index (FTS5), filled in one statement per batch of new claims.

Migration ``0011_fts_batch``: the per-row trigger that indexes a new claim stands aside while
``claims_fts_sync.deferred`` is 1. Ingestion sets it inside its transaction, inserts the claims,
indexes them all with one ``INSERT … SELECT`` and clears it before the transaction ends (SQLite
has one writer; the flag never leaves that writer's transaction, and a rollback clears it with
everything else). FTS5 writes its pending terms out, and merges segments, at every statement,
so one statement per batch costs a fraction of one per claim. PostgreSQL's trigram index needs
no upkeep: there this does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session

_DEFER = text("UPDATE claims_fts_sync SET deferred = 1 WHERE id = 1")
_RESUME = text("UPDATE claims_fts_sync SET deferred = 0 WHERE id = 1")
_INDEX_NEW = text("INSERT INTO claims_fts(rowid, text) SELECT id, text FROM claims WHERE id BETWEEN :first AND :last")


@contextmanager
def claims_indexed_together(session: Session, first_id: int, last_id: int) -> Iterator[None]:
    """Around the INSERT of new claims numbered ``first_id`` to ``last_id`` (by a writer that holds
    the write lock, so no other claim is numbered in between): index them on the way out, in one
    statement, instead of one trigger statement per claim.

    On an error inside, nothing more is written: the caller rolls its transaction (or savepoint)
    back, which clears the flag with everything else it wrote."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    session.execute(_DEFER)
    yield
    session.execute(_INDEX_NEW, {"first": first_id, "last": last_id})
    session.execute(_RESUME)
