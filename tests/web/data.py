"""Data for the browser tests: the sample reports, their sources attached from files and
verified (checks only, no models to download), plus one hostile report whose title and
claims hold HTML and script, and a 2,000-character claim."""

from __future__ import annotations

from pathlib import Path

from app.db import session_scope
from app.services.reports import ingest_parsed, parse_report_bytes
from app.services.verify import VerifyTarget, run_verification
from app.settings import Settings
from tests.app.test_verify import attach_versions
from tests.conftest import EXAMPLE_REPORTS

HOSTILE_TITLE = '<script>window.__pwned = "title"</script><b>Bold</b> report & <i>co</i>'
HOSTILE_CLAIM = '<img src=x onerror="window.__pwned = 1"> Intermediate training improves XNLI by 2.0 points.'
LONG_WORD = "Supercalifragilistic" * 15  # 300 characters without a space
LONG_CLAIM = ("Multi-task intermediate training on nine tasks improves XTREME " + LONG_WORD + " "
              + "and the average score rises across every language and every task considered in the study " * 40)[:2000]


def hostile_report() -> bytes:
    """Sample report 000 with a hostile title and two extra claims."""
    text = EXAMPLE_REPORTS[0].read_text(encoding="utf-8")
    title = "Intermediate Task Quantity and Combination Effects on Multilingual Model Alignment in Zero-Shot Cross-Lingual Transfer"
    text = text.replace(title, HOSTILE_TITLE, 1)
    extra = f"{HOSTILE_CLAIM}\t✓\t0.40\n{LONG_CLAIM}\t×\t0.10\n"
    return text.replace("\n\nReferences", "\n" + extra + "\nReferences", 1).encode()


def populate(settings: Settings, scratch: Path) -> dict[str, int]:
    """Ingest, attach and verify; returns the ids the tests look for."""
    ids = {}
    with session_scope(settings) as db:
        for index, path in enumerate(EXAMPLE_REPORTS):
            ids[f"report{index}"] = ingest_parsed(db, parse_report_bytes(path.read_bytes(), settings)).report_id
        ids["hostile"] = ingest_parsed(db, parse_report_bytes(hostile_report(), settings)).report_id
    attach_versions(settings, scratch)
    run_verification(settings, lambda: session_scope(settings), VerifyTarget())
    return ids
