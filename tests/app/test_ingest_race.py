"""Ingestion that races another writer on a shared claim (PostgreSQL: SQLite admits one writer,
and ingestion reads the claims only after taking the write lock)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select

from app.db import session_scope
from app.models import Claim, ClaimMention
from app.models.base import utcnow
from app.services import reports as reports_service
from app.settings import Settings
from verifier.reports import claim_group_key, claim_key

CLAIM = "Racing writers store the same wording of a claim about XNLI only once."
REPORT = (f"Race\n\nTester\n\nJune 21, 2026\n\nAbstract\n\nText.\n\n5 Extracted Claims\n\n"
          f"Claim\tVerified\tConfidence\n{CLAIM}\t✓\t0.70\n\nReferences\n\n- <http://arxiv.org/abs/2005.13013v2>\n")


def test_a_claim_stored_meanwhile_by_another_writer_is_retried_not_duplicated(settings: Settings, client_for,
                                                                                monkeypatch) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("only PostgreSQL lets another writer in between")
    real_next_ids = reports_service._next_ids
    raced = []

    def another_writer_first(session, table: str, count: int):
        """Just before our claims go in (after we looked them up), another process commits one."""
        if table == "claims" and not raced:
            raced.append(True)
            with session_scope(settings) as other:
                other.execute(insert(Claim), [dict(text=CLAIM, key=claim_key(CLAIM), truncated=False,
                                                   group_key=claim_group_key(CLAIM), created_at=utcnow())])
        return real_next_ids(session, table, count)

    monkeypatch.setattr(reports_service, "_next_ids", another_writer_first)
    client = client_for("editor", settings.model_copy(update={"ingest_processes": 0}))  # in this process: patched
    response = client.post("/api/reports", content=REPORT.encode())
    assert raced and response.status_code == 201, response.text  # COPY's unique violation was retried
    with session_scope(settings) as session:
        claims = session.scalars(select(Claim.id).where(Claim.key == claim_key(CLAIM))).all()
        assert len(claims) == 1
        mentioned = session.scalar(select(ClaimMention.claim_id).where(ClaimMention.report_id == response.json()["id"]))
        assert mentioned == claims[0]
        assert session.scalar(select(func.count()).select_from(ClaimMention)) == 1
