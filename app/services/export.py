"""Claim export: one row per claim mention (the interface users' scripts rely on)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.models import ClaimMention, Evidence, Verification
from app.services.verdicts import latest_verifications

ExportFormat = Literal["json", "jsonl", "csv"]
EXPORT_FIELDS = ("claim_id", "report_id", "text", "stated_verified", "stated_confidence",
                 "verdict", "confidence", "evidence", "explanation", "version_notes", "verified_at",
                 "unread_sources")
BATCH = 500


def evidence_row(evidence: Evidence) -> dict[str, Any]:
    return {"source_id": evidence.source_id, "source": evidence.source_key, "version": evidence.source_version,
            "cited": evidence.cited, "page": evidence.page, "char_start": evidence.char_start,
            "char_end": evidence.char_end, "text": evidence.text, "stance": evidence.stance,
            "stance_prob": evidence.stance_prob}


def _row(mention: ClaimMention, verification: Verification | None) -> dict[str, Any]:
    return {
        "claim_id": mention.claim_id, "report_id": mention.report_id, "text": mention.claim.text,
        "stated_verified": mention.stated_verified, "stated_confidence": mention.stated_confidence,
        "verdict": verification.verdict if verification else None,
        "confidence": verification.confidence if verification else None,
        "evidence": [evidence_row(e) for e in verification.evidence] if verification else [],
        "explanation": verification.explanation if verification else None,
        "version_notes": list(verification.version_notes) if verification else [],
        "verified_at": verification.created_at.isoformat() if verification else None,
        # Cited source versions without text: an ``unchecked`` verdict names what to fetch.
        "unread_sources": list(verification.unread_sources or []) if verification else [],
    }


def claim_rows(session: Session) -> Iterator[dict[str, Any]]:
    """Rows in (report, position) order with each mention's latest verdict and its evidence."""
    mention_ids = session.scalars(
        select(ClaimMention.id).order_by(ClaimMention.report_id, ClaimMention.position)
    ).all()
    for start in range(0, len(mention_ids), BATCH):
        batch = mention_ids[start:start + BATCH]
        mentions = {m.id: m for m in session.scalars(
            select(ClaimMention).where(ClaimMention.id.in_(batch)).options(joinedload(ClaimMention.claim))
        )}
        verifications = latest_verifications(session, mention_ids=batch)
        for mention_id in batch:
            yield _row(mentions[mention_id], verifications.get(mention_id))


def write_rows(rows: Iterator[dict[str, Any]], fmt: ExportFormat, out: io.TextIOBase) -> int:
    """Write rows as a JSON list, JSON lines or CSV (lists as JSON cells); returns the count."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "evidence": json.dumps(row["evidence"], ensure_ascii=False),
                             "version_notes": json.dumps(row["version_notes"], ensure_ascii=False),
                             "unread_sources": json.dumps(row["unread_sources"], ensure_ascii=False)})
            count += 1
        return count
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        return count
    out.write("[")
    for row in rows:
        out.write(("," if count else "") + "\n  " + json.dumps(row, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
