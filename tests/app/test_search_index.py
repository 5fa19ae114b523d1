"""Migration 0011_fts_batch: ingestion indexes its new claims for text search in one statement
per batch (CLI bulk ingest) or per report (HTTP); every other writer still goes through the
per-row trigger, and nothing leaves the trigger switched off."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text

from app.db import session_scope
from app.models import Claim
from app.services.search_index import claims_indexed_together
from app.settings import Settings
from tests.app.test_claims_api import all_pages


def report(title: str, claims: list[str]) -> str:
    rows = "\n".join(f"{claim}\t✓\t0.70" for claim in claims)
    return (f"{title}\n\nTester\n\nJune 21, 2026\n\nAbstract\n\nText.\n\n5 Extracted Claims\n\n"
            f"Claim\tVerified\tConfidence\n{rows}\n\nReferences\n\n- <http://arxiv.org/abs/2005.13013v2>\n")


def claim(tag: str) -> str:
    return f"Adapter tuning with marker {tag} improves XNLI accuracy by 1.5 points."


def sqlite_only(settings: Settings) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the FTS5 index and its trigger exist on SQLite only")


def index_state(settings: Settings) -> tuple[int, int, int]:
    """(claims, rows in the FTS5 index, the deferral flag)."""
    with session_scope(settings) as session:
        return (session.scalar(select(func.count()).select_from(Claim)),
                session.scalar(text("SELECT count(*) FROM claims_fts_docsize")),
                session.scalar(text("SELECT deferred FROM claims_fts_sync WHERE id = 1")))


def test_bulk_and_http_ingestion_make_every_new_claim_searchable(settings: Settings, client, cli,
                                                                  tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.txt").write_text(report("Bulk A", [claim("qa1"), claim("qshared")]), encoding="utf-8")
    (folder / "b.txt").write_text(report("Bulk B", [claim("qb1"), claim("qshared")]), encoding="utf-8")
    (folder / "c.txt").write_text(report("Bulk A", [claim("qa1"), claim("qshared")]), encoding="utf-8")  # = a
    done = cli("ingest", str(folder))
    assert done.returncode == 0, done.stderr
    ids = {line.split(":")[0].rsplit("/", 1)[-1]: int(line.split("report ")[1].split()[0])
           for line in done.stdout.splitlines()}
    assert ids["b.txt"] == ids["a.txt"] + 1 and ids["c.txt"] == ids["a.txt"]  # in file order; c is a again
    assert done.stdout.count("already ingested") == 1 and "c.txt: already ingested" in done.stdout
    assert client.post("/api/reports", content=report("One", [claim("qh1")]).encode()).status_code == 201
    for tag in ("qa1", "qb1", "qshared", "qh1"):
        hits = all_pages(client, q=f"marker {tag} improves")
        assert [hit["text"] for hit in hits] == [claim(tag)], tag
    if settings.database_url.startswith("sqlite"):
        claims, indexed, deferred = index_state(settings)
        assert (claims, indexed, deferred) == (4, 4, 0)  # each claim indexed once; the trigger is back on


def test_claims_written_by_other_paths_are_still_indexed_by_the_trigger(settings: Settings, client) -> None:
    sqlite_only(settings)
    assert client.post("/api/reports", content=report("First", [claim("qfirst")]).encode()).status_code == 201
    with session_scope(settings) as session:  # as an import or a script would write it
        session.execute(insert(Claim), [dict(text=claim("qscript"), key="k-script", truncated=False,
                                             group_key="g-script")])
    assert [hit["text"] for hit in all_pages(client, q="marker qscript")] == [claim("qscript")]
    assert index_state(settings) == (2, 2, 0)


def test_a_batch_that_fails_leaves_the_trigger_on(settings: Settings, client) -> None:
    sqlite_only(settings)
    with pytest.raises(RuntimeError), session_scope(settings) as session, \
            claims_indexed_together(session, 1, 1):
        session.execute(insert(Claim), [dict(id=1, text=claim("qlost"), key="k-lost", truncated=False, group_key="g")])
        raise RuntimeError("the batch fails after its claims were written")
    assert index_state(settings) == (0, 0, 0)  # rolled back with the flag
    with session_scope(settings) as session:
        session.execute(insert(Claim), [dict(text=claim("qlater"), key="k-later", truncated=False, group_key="g")])
    assert [hit["text"] for hit in all_pages(client, q="marker qlater")] == [claim("qlater")]
