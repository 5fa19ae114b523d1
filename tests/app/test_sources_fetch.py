"""Fetching the cited sources into the database, against the fake arXiv."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db import session_scope
from app.errors import BadRequestError
from app.models import Citation, Passage, Source
from app.services.sources import attach_source_file, fetch_source, fetch_sources
from tests.fakes.arxiv_server import make_pdf
from tests.fakes.fixtures import fake_arxiv  # noqa: F401 - fixture
from tests.fakes.papers import STILTS


@pytest.fixture
def online(settings, fake_arxiv):
    """The test's settings pointed at the fake arXiv, with fast spacing and back-off."""
    return settings.model_copy(update={**fake_arxiv.settings_overrides(), "arxiv_min_interval_s": 0.01,
                                       "http_retries": 1, "http_backoff_s": 0.01})


def _source(session, key: str) -> Source:
    source = session.scalar(select(Source).where(Source.key == key))
    if source is None:
        source = Source(key=key, arxiv_id=key.split("v")[0], version=int(key.split("v")[1]) if "v" in key else None)
        session.add(source)
        session.flush()
    return source


def test_all_sources_of_the_sample_reports_end_fetched_or_failed(online, ingested, fake_arxiv):
    fake_arxiv.respond("pdf", b"<html>Service moved</html>", "text/html", key="2506.15415v1")
    with session_scope(online) as session:
        done = fetch_sources(session, online)
    with session_scope(online) as session:
        sources = list(session.scalars(select(Source).order_by(Source.key)))
        cited = set(session.scalars(select(Citation.source_id).where(Citation.source_id.is_not(None))))
        assert {s.id for s in sources} == cited == {s.id for s in done}
        assert [s.key for s in sources] == ["2003.11080v5", "2005.13013v2", "2007.08970v3", "2104.07412v2",
                                            "2109.13620v1", "2306.02078v1", "2306.12916v3", "2506.15415v1"]
        for source in sources:
            stored = session.scalar(select(func.count()).where(Passage.source_id == source.id))
            if source.key == "2506.15415v1":
                assert source.status == "failed" and "not a PDF" in source.error
                assert source.passage_count == stored == 0
            else:
                assert source.status == "fetched" and source.error is None, source.error
                assert source.passage_count == stored > 0
                assert source.title and source.authors and source.text_sha256 and source.fetched_at
        stilts = next(s for s in sources if s.key == "2005.13013v2")
        assert stilts.text_kind == "pdf+html" and stilts.is_latest
        indexes = list(session.scalars(select(Passage.index).where(Passage.source_id == stilts.id)
                                       .order_by(Passage.index)))
        assert indexes == list(range(stilts.passage_count))
        assert any(p.text.startswith("Table 1:") for p in stilts.passages)


def test_cited_version_that_is_not_the_latest(online, session, fake_arxiv):
    source = _source(session, "2005.13013v1")
    fetch_source(session, online, source.id)
    assert (source.status, source.version, source.fetched_version, source.latest_version) == ("fetched", 1, 1, 2)
    assert source.is_latest is False
    texts = [p.text for p in source.passages]
    assert any("seven intermediate language-understanding tasks" in t for t in texts)
    assert not any("nine intermediate" in t for t in texts)
    assert [p.page for p in source.passages][:2] == [1, 1]


def test_unversioned_citation_records_the_version_fetched(online, session):
    source = _source(session, "2005.13013")
    fetch_source(session, online, source.id)
    assert (source.version, source.fetched_version, source.latest_version, source.is_latest) == (None, 2, 2, True)
    assert any("nine intermediate" in p.text for p in source.passages)


def test_fetched_source_is_not_fetched_again_and_refresh_uses_the_cache(online, session, fake_arxiv):
    source = _source(session, "2005.13013v2")
    fetch_source(session, online, source.id)
    sha, seen = source.text_sha256, len(fake_arxiv.requests)
    fetch_source(session, online, source.id)
    assert len(fake_arxiv.requests) == seen  # fetched already: zero requests
    fetch_source(session, online, source.id, refresh=True)
    # A refresh asks arXiv for the metadata again (is there a newer version?), never the files.
    assert [r.kind for r in fake_arxiv.requests[seen:]] == ["api"]
    assert source.text_sha256 == sha and source.passage_count == len(source.passages)


def test_a_failed_refresh_keeps_the_text_and_warns(online, session, fake_arxiv):
    source = _source(session, "2005.13013")
    fetch_source(session, online, source.id)
    count = source.passage_count
    fake_arxiv.fail("api", 503, times=None)
    fetch_source(session, online, source.id, refresh=True)
    assert source.status == "fetched" and source.passage_count == count
    assert "refresh failed: gave up after 2 attempts: HTTP 503" in source.warnings[-1]


def test_repeated_failures_leave_a_recorded_reason(online, session, fake_arxiv):
    fake_arxiv.fail("api", 503, times=None)
    source = _source(session, "2104.07412v2")
    fetch_source(session, online, source.id)
    assert source.status == "failed"
    assert source.error.startswith("gave up after 2 attempts: HTTP 503")
    assert len(fake_arxiv.requests_of("api")) == 2


def test_offline_marks_uncached_sources_missing_without_any_request(online, session, fake_arxiv):
    offline = online.model_copy(update={"offline": True})
    source = _source(session, "2005.13013v2")
    fetch_source(session, offline, source.id)
    assert source.status == "missing"
    assert "not cached" in source.error and "claimtrace sources add 2005.13013v2 --file PATH" in source.error
    assert fake_arxiv.requests == []


def test_attach_a_local_pdf_then_fetch_uses_it(online, session, fake_arxiv, tmp_path: Path):
    pdf = tmp_path / "stilts-v2.pdf"
    pdf.write_bytes(make_pdf(STILTS.version(2).pages))
    source = attach_source_file(session, online, "2005.13013v2", pdf)
    assert (source.status, source.text_kind, source.fetched_version) == ("fetched", "pdf", 2)
    assert source.files[0]["local"] is True and source.files[0]["url"] == str(pdf.resolve())
    assert any("5.4 points" in p.text for p in source.passages)
    # Online, a refresh gets the metadata; the PDF is the attached one, never downloaded.
    fetch_source(session, online, source.id, refresh=True)
    assert source.title and fake_arxiv.requests_of("pdf") == []


def test_attach_plain_text_for_an_unversioned_id(online, session, tmp_path: Path):
    copy = tmp_path / "notes.txt"
    copy.write_text("The gain is 5.4 points. It holds for nine tasks.\n", encoding="utf-8")
    source = attach_source_file(session, online, "arXiv:2005.13013", copy)
    assert source.key == "2005.13013" and source.text_kind == "text"
    assert [p.text for p in source.passages] == ["The gain is 5.4 points.", "It holds for nine tasks."]


def test_attach_refuses_bad_ids_and_unreadable_files(online, session, tmp_path: Path):
    with pytest.raises(BadRequestError, match="not an arXiv id: 'nonsense'"):
        attach_source_file(session, online, "nonsense", tmp_path / "x.pdf")
    with pytest.raises(BadRequestError, match="x.pdf: cannot be read"):
        attach_source_file(session, online, "2005.13013v2", tmp_path / "x.pdf")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 garbage")
    with pytest.raises(BadRequestError, match="broken.pdf: PDF: cannot be read"):
        attach_source_file(session, online, "2005.13013v2", broken)
    assert session.scalar(select(func.count()).select_from(Source)) == 0
