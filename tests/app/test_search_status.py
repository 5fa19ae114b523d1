"""Migration 0009_search: the mention status and the claim text index stay in sync with the
tables they describe, however rows are written (here: plain SQL, as an import or a script would)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update

from app.db import session_scope
from app.models import Claim, ClaimMention, Verification
from app.settings import Settings

REPORT = """Status and search

Tester

June 21, 2026

Abstract

Text.

5 Extracted Claims

Claim\tVerified\tConfidence
XLM-R Large improves zero-shot transfer on XNLI by 2.1 points.\t✓\t0.80
mT5 trails XLM-R on 50% of the PAWS-X languages.\t✗\t0.40

References

- <http://arxiv.org/abs/2005.13013v2>
"""


def add_run(settings: Settings, mention: ClaimMention, verdict: str, confidence: float) -> int:
    with session_scope(settings) as session:
        return session.execute(insert(Verification).returning(Verification.id), [dict(
            mention_id=mention.id, claim_id=mention.claim_id, verdict=verdict, confidence=confidence,
            probabilities={}, explanation="test", version_notes=[], verifier_version="test", model_ids={})]
        ).scalar_one()


def mention_status(settings: Settings, mention_id: int) -> tuple:
    with session_scope(settings) as session:
        row = session.execute(select(ClaimMention.latest_verification_id, ClaimMention.latest_verdict,
                                     ClaimMention.latest_confidence).where(ClaimMention.id == mention_id)).one()
        return tuple(row)


def test_latest_verdict_follows_inserts_updates_and_deletes(settings: Settings, client) -> None:
    report = client.post("/api/reports", content=REPORT.encode()).json()["id"]
    with session_scope(settings) as session:
        mention = session.scalars(select(ClaimMention).where(ClaimMention.report_id == report)
                                  .order_by(ClaimMention.position)).first()
    assert mention_status(settings, mention.id) == (None, None, None)
    assert client.get(f"/api/claims/{mention.claim_id}").json()["status"]["verdict"] is None

    first = add_run(settings, mention, "supported", 0.9)
    assert mention_status(settings, mention.id) == (first, "supported", 0.9)
    second = add_run(settings, mention, "unchecked", 0.0)  # any label: verdicts are plain strings
    assert mention_status(settings, mention.id) == (second, "unchecked", 0.0)
    page = client.get("/api/claims", params={"verdict": "supported"}).json()["items"]
    assert mention.claim_id not in [c["id"] for c in page]  # only the latest verdict counts

    with session_scope(settings) as session:
        session.execute(update(Verification).where(Verification.id == second)
                        .values(verdict="contradicted", confidence=0.7))
    assert mention_status(settings, mention.id) == (second, "contradicted", 0.7)
    listed = client.get("/api/claims", params={"verdict": "contradicted"}).json()["items"]
    assert [c["id"] for c in listed] == [mention.claim_id]
    assert listed[0]["status"] == {"verdict": "contradicted", "confidence": 0.7, "counts": {"contradicted": 1},
                                   "verified_mentions": 1}

    with session_scope(settings) as session:
        session.execute(delete(Verification).where(Verification.id == second))
    assert mention_status(settings, mention.id) == (first, "supported", 0.9)
    with session_scope(settings) as session:
        session.execute(delete(Verification).where(Verification.id == first))
    assert mention_status(settings, mention.id) == (None, None, None)
    unverified = client.get("/api/claims", params={"verdict": "unverified"}).json()["items"]
    assert mention.claim_id in [c["id"] for c in unverified]


def test_text_search_index_follows_claim_text(settings: Settings, client) -> None:
    client.post("/api/reports", content=REPORT.encode()).raise_for_status()

    def found(q: str) -> list[str]:
        return [c["text"] for c in client.get("/api/claims", params={"q": q}).json()["items"]]

    assert found("xnli") == ["XLM-R Large improves zero-shot transfer on XNLI by 2.1 points."]
    assert found("50%") == ["mT5 trails XLM-R on 50% of the PAWS-X languages."]  # % is literal
    assert found("5_%") == [] and found("xl") != []  # _ is literal; short queries still work
    with session_scope(settings) as session:
        session.execute(update(Claim).where(Claim.text.like("%XNLI%")).values(text="Rewritten on TyDiQA."))
    assert found("xnli") == [] and found("tydiqa") == ["Rewritten on TyDiQA."]
    with session_scope(settings) as session:
        session.execute(delete(Claim).where(Claim.text == "Rewritten on TyDiQA."))
    assert found("tydiqa") == []


def _table_report(rows: list[str]) -> bytes:
    table = "\n".join(f"{text}\t✓\t0.50" for text in rows)
    return (f"Search paths\n\nTester\n\nJune 21, 2026\n\nAbstract\n\nText.\n\n5 Extracted Claims\n\n"
            f"Claim\tVerified\tConfidence\n{table}\n").encode()


def test_text_search_pages_agree_between_walk_and_index(client, monkeypatch) -> None:
    """A search page comes from a bounded walk of the listing (frequent terms) or from the
    trigram index (rare ones): both give the same pages in every sort, with keyset cursors."""
    from app.services import claims as service

    words = ("XNLI", "TyDiQA", "PAWS-X", "MLQA")
    rows = [f"Model {i} {'improves' if i % 3 else 'trails'} {words[i % 4]} by {i % 7}.{i % 10} points (c{i})."
            for i in range(120)]
    client.post("/api/reports", content=_table_report(rows)).raise_for_status()

    def pages(q: str, sort: str) -> list[str]:
        texts, cursor = [], None
        while True:
            params = {"q": q, "sort": sort, "limit": 7} | ({"cursor": cursor} if cursor else {})
            body = client.get("/api/claims", params=params).json()
            texts += [c["text"] for c in body["items"]]
            if not (cursor := body["next_cursor"]):
                return texts

    for q in ("xnli", "improves", "trails tydiqa", "(c1", "paws-x by 3", "no such claim", "mo"):
        for sort in ("id", "-id", "text", "-text"):
            monkeypatch.setattr(service, "SEARCH_WALK_ROWS", 10_000)
            walked = pages(q, sort)
            monkeypatch.setattr(service, "SEARCH_WALK_ROWS", 1)  # never a full page: the index answers
            indexed = pages(q, sort)
            expected = [t for t in rows if q.lower() in t.lower()]
            assert sorted(walked) == sorted(expected) and walked == indexed, (q, sort)


def test_text_sort_is_byte_order_past_the_indexed_prefix(client) -> None:
    """Pages sorted by text follow the whole text in code-point order on both databases, also
    where claims share their first 200 characters (PostgreSQL's sort-key index, 0010_perf)."""
    stem = "XLM-R Large improves zero-shot transfer on XNLI " + "and on its many languages " * 8
    rows = [f"{stem}by {n} points." for n in ("9.1", "10.2", "1.5", "Über 3", "über 2", "Zeta 4", "ábc 5")]
    rows += ["Åland dialects trail on MLQA.", "abc trails on XQuAD.", "Abc trails on TyDiQA."]
    client.post("/api/reports", content=_table_report(rows)).raise_for_status()
    for sort, expected in (("text", sorted(rows)), ("-text", sorted(rows, reverse=True))):
        texts, cursor = [], None
        while True:
            params = {"sort": sort, "limit": 3} | ({"cursor": cursor} if cursor else {})
            body = client.get("/api/claims", params=params).json()
            texts += [c["text"] for c in body["items"]]
            if not (cursor := body["next_cursor"]):
                break
        assert texts == expected, sort
