"""Database objects the migrations keep beside the models: claim text search and mention status.

- ``claims_fts`` (SQLite): an FTS5 trigram index over ``claims.text`` (external content), kept in
  sync by triggers on ``claims`` (ingestion fills it one statement per batch while
  ``claims_fts_sync.deferred`` is set: ``app.services.search_index``), and an index on ``(text, id)`` for pages sorted by text; PostgreSQL uses a ``pg_trgm`` GIN index on ``claims.text``.
- ``claim_mentions.latest_*``: the latest verification of each mention (id, verdict,
  confidence), kept by triggers on ``verifications`` however a run is written (ORM, bulk SQL,
  an import), so listings read verdicts in one indexed step.

Autogenerate must not report these as drift: ``include_name`` hides them.
"""

from __future__ import annotations

CLAIMS_FTS = "claims_fts"
CLAIMS_TRGM_INDEX = "ix_claims_text_trgm"
CLAIMS_TEXT_INDEX = "ix_claims_text_id"  # SQLite only: PostgreSQL B-trees cannot hold 5,000-character claims
CLAIMS_TEXT_PREFIX_INDEX = "ix_claims_text_prefix"  # PostgreSQL: (left(text, 200) COLLATE "C", id), 0010_perf
# SQLite only: claim_mentions (claim_id, latest_verdict, latest_verification_id, latest_confidence),
# what a page's latest verdicts read (0012_mention_status).
MENTION_STATUS_INDEX = "ix_claim_mentions_status"


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic ``include_name`` hook: skip the FTS5 tables and the indexes made for one database."""
    if type_ == "table" and name is not None and name.startswith(CLAIMS_FTS):
        return False
    return not (type_ == "index" and name in (CLAIMS_TRGM_INDEX, CLAIMS_TEXT_INDEX, CLAIMS_TEXT_PREFIX_INDEX,
                                               MENTION_STATUS_INDEX))
