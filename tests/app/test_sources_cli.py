"""`claimtrace sources fetch|add` as real subprocesses (SQLite; the services run on both)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import session_scope
from app.models import Citation, Source
from tests.fakes.arxiv_server import make_pdf
from tests.fakes.fixtures import fake_arxiv  # noqa: F401 - fixture
from tests.fakes.papers import STILTS

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _env(fake_arxiv, **extra: str) -> dict[str, str]:
    env = {f"CLAIMTRACE_{k.upper()}": v for k, v in fake_arxiv.settings_overrides().items()}
    return env | {"CLAIMTRACE_ARXIV_MIN_INTERVAL_S": "0.01", "CLAIMTRACE_HTTP_RETRIES": "0"} | extra


def test_sources_add_attaches_a_local_pdf(cli, settings, tmp_path, fake_arxiv):
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(make_pdf(STILTS.version(2).pages))
    result = cli("sources", "add", "2005.13013v2", "--file", str(pdf), env=_env(fake_arxiv))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2005.13013v2: fetched: ") and "from pdf (v2)" in result.stdout
    with session_scope(settings) as session:
        source = session.scalar(select(Source).where(Source.key == "2005.13013v2"))
        assert source.status == "fetched" and source.passage_count == len(source.passages) > 0
    assert fake_arxiv.requests == []

    bad = cli("sources", "add", "not-an-id", "--file", str(pdf))
    assert bad.returncode == 1 and "error: not an arXiv id: 'not-an-id'" in bad.stderr


def test_sources_fetch_for_a_report_then_offline_reports_missing(cli, settings, ingested, fake_arxiv):
    report = ingested[1]
    result = cli("sources", "fetch", "--report", str(report), env=_env(fake_arxiv))
    assert result.returncode == 0, result.stderr
    with session_scope(settings) as session:
        cited = set(session.scalars(select(Source.key).join(Citation, Citation.source_id == Source.id)
                                    .where(Citation.report_id == report)))
        everything = set(session.scalars(select(Source.key)))
    lines = result.stdout.strip().splitlines()
    assert {line.split(":")[0] for line in lines[:-1]} == cited
    assert lines[-1] == f"{len(cited)} sources: {len(cited)} fetched"

    seen = len(fake_arxiv.requests)
    offline = cli("sources", "fetch", env=_env(fake_arxiv, CLAIMTRACE_OFFLINE="1"))
    assert offline.returncode == 1
    assert len(fake_arxiv.requests) == seen  # offline: not one request
    missing = everything - cited
    reported = offline.stderr.split("missing (offline, not cached):")[1].split()
    assert sorted(reported) == sorted(missing)
    assert f"{len(cited)} fetched, {len(missing)} missing" in offline.stdout

