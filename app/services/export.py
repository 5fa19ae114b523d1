"""Claim export: one row per claim mention (the interface users' scripts rely on)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.models import ClaimMention

ExportFormat = Literal["json", "jsonl", "csv"]
EXPORT_FIELDS = ("claim_id", "report_id", "text", "stated_verified", "stated_confidence",
                 "verdict", "confidence", "evidence")
BATCH = 1_000


def claim_rows(session: Session) -> Iterator[dict[str, Any]]:
    """Rows in (report, position) order; verdict fields stay empty until a claim is verified."""
    query = (select(ClaimMention).options(joinedload(ClaimMention.claim))
             .order_by(ClaimMention.report_id, ClaimMention.position)
             .execution_options(yield_per=BATCH))
    for mention in session.scalars(query):
        yield {
            "claim_id": mention.claim_id, "report_id": mention.report_id, "text": mention.claim.text,
            "stated_verified": mention.stated_verified, "stated_confidence": mention.stated_confidence,
            "verdict": None, "confidence": None, "evidence": [],
        }


def write_rows(rows: Iterator[dict[str, Any]], fmt: ExportFormat, out: io.TextIOBase) -> int:
    """Write rows as a JSON list, JSON lines or CSV (evidence as a JSON cell); returns the count."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "evidence": json.dumps(row["evidence"], ensure_ascii=False)})
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
