"""A claim's status over all its mentions: the page's grouped query, the claim's own page and
the JSON agree, whatever mix of verdicts its reports' latest runs hold."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select, text

from app.db import engine_for, session_scope
from app.models import ClaimMention, Verification
from app.models.search import MENTION_STATUS_INDEX
from app.services.verdicts import _LATEST_OF_CLAIMS
from app.settings import Settings

SHARED = "XLM-R Large improves zero-shot transfer on XNLI by 2.1 points."


def report(n: int) -> bytes:
    return (f"Shared claim {n}\n\nTester\n\nJune 21, 2026\n\nAbstract\n\nText.\n\n5 Extracted Claims\n\n"
            f"Claim\tVerified\tConfidence\n{SHARED}\t✓\t0.80\nA claim only report {n} makes.\t✗\t0.40\n").encode()


def run(settings: Settings, mention_id: int, claim_id: int, verdict: str, confidence: float | None) -> None:
    with session_scope(settings) as session:
        session.execute(insert(Verification), [dict(
            mention_id=mention_id, claim_id=claim_id, verdict=verdict, confidence=confidence, probabilities={},
            explanation="test", version_notes=[], verifier_version="test", model_ids={})])


def statuses(client, claim_id: int) -> tuple[dict, dict]:
    """The claim's status as a page of claims lists it, and as its own page gives it."""
    listed = [c for c in client.get("/api/claims", params={"limit": 200}).json()["items"] if c["id"] == claim_id]
    return listed[0]["status"], client.get(f"/api/claims/{claim_id}").json()["status"]


def test_status_over_many_mentions_agrees_between_the_page_and_the_claim(settings: Settings, client) -> None:
    for n in range(5):
        assert client.post("/api/reports", content=report(n)).status_code == 201
    with session_scope(settings) as session:
        mentions = session.execute(select(ClaimMention.id, ClaimMention.claim_id).join(ClaimMention.claim)
                                   .where(ClaimMention.position == 0).order_by(ClaimMention.id)).all()
    claim_id = mentions[0].claim_id
    assert len(mentions) == 5 and {m.claim_id for m in mentions} == {claim_id}  # one claim, five reports

    listed, own = statuses(client, claim_id)
    assert listed == own == {"verdict": None, "confidence": None, "counts": {}, "verified_mentions": 0}

    run(settings, mentions[0].id, claim_id, "supported", 0.9)
    run(settings, mentions[1].id, claim_id, "supported", 0.6)
    run(settings, mentions[2].id, claim_id, "unchecked", None)  # no text: it does not decide
    run(settings, mentions[3].id, claim_id, "supported", None)  # a verdict without a confidence
    listed, own = statuses(client, claim_id)
    assert listed == own
    assert listed["verdict"] == "supported" and listed["confidence"] == pytest.approx(0.75)
    assert listed["counts"] == {"supported": 3, "unchecked": 1} and listed["verified_mentions"] == 4

    run(settings, mentions[4].id, claim_id, "contradicted", 0.7)  # another report's run disagrees
    listed, own = statuses(client, claim_id)
    assert listed == own == {"verdict": "mixed", "confidence": None,
                             "counts": {"supported": 3, "unchecked": 1, "contradicted": 1}, "verified_mentions": 5}
    assert list(listed["counts"]) == ["supported", "unchecked", "contradicted"]  # in the order they came

    with session_scope(settings) as session:  # one row per verdict, not one per mention
        rows = session.connection().execute(_LATEST_OF_CLAIMS, {"claim_ids": [claim_id]}).all()
    assert [(verdict, mentions) for _, verdict, mentions, _, _ in rows] == [
        ("supported", 3), ("unchecked", 1), ("contradicted", 1)]


def test_sqlite_reads_a_pages_statuses_from_one_covering_index(settings: Settings) -> None:
    engine = engine_for(settings)
    if engine.dialect.name != "sqlite":
        pytest.skip("the covering index is SQLite's (PostgreSQL's round trip dominates: no gain measured there)")
    sql = _LATEST_OF_CLAIMS.params(claim_ids=[1, 2, 3]).compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as conn:
        plan = " ".join(row[-1] for row in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    assert f"COVERING INDEX {MENTION_STATUS_INDEX}" in plan, plan
