"""The start-up warm-up of the read routes (`claimtrace serve` runs it before listening)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from sqlalchemy import func, select

from app.db import session_scope
from app.models import Claim, ClaimMention, Report, Verification
from app.services import claims as claims_service
from app.settings import Settings
from app.warmup import warm_up
from tests.app.workers import served
from verifier import lexicon


def _row_counts(settings: Settings) -> tuple[int, ...]:
    with session_scope(settings) as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Report, Claim, ClaimMention, Verification))


def test_warm_up_builds_every_hot_statement_and_the_lexicon_and_writes_nothing(
        settings: Settings, ingested: list[int]) -> None:
    for cached in (claims_service._listing, claims_service._walked_listing, lexicon._matcher):
        cached.cache_clear()
    before = _row_counts(settings)
    warm_up(settings)
    # Four sorts with and without a cursor, a rare search (the index), a verdict and a report filter.
    assert claims_service._listing.cache_info().currsize >= 11
    assert claims_service._walked_listing.cache_info().currsize >= 1  # the frequent search's walk
    assert lexicon._matcher.cache_info().currsize == 1
    assert _row_counts(settings) == before


def test_warm_up_never_keeps_the_server_from_starting(tmp_path: Path, caplog) -> None:
    broken = Settings(database_url=f"sqlite:///{tmp_path / 'not-a-database.db'}", data_dir=tmp_path / "data")
    (tmp_path / "not-a-database.db").write_bytes(b"this is not SQLite" * 100)
    with caplog.at_level(logging.INFO, logger="app.warmup"):
        warm_up(broken)
    assert "warm-up of the read routes failed" in caplog.text
    assert "warmed up in" not in caplog.text  # a failed warm-up is not reported as done


def test_serve_warms_up_and_starts_ingestion_before_it_listens(settings: Settings, ingested: list[int],
                                                               tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with served(settings, log):
        pass
    messages = [json.loads(line).get("message", "") for line in log.read_text().splitlines() if line.startswith("{")]
    warmed = [i for i, m in enumerate(messages) if m.startswith("read routes warmed up in")]
    ingesting = [i for i, m in enumerate(messages) if m.startswith("ingestion process started in")]
    listening = [i for i, m in enumerate(messages) if "Uvicorn running" in m or "Application startup complete" in m]
    assert warmed and ingesting and listening, messages
    assert warmed[0] < listening[0] and ingesting[0] < listening[0], messages
