"""Fetching arXiv metadata and version-pinned full text from a real fake arXiv on 127.0.0.1."""

from __future__ import annotations

import time

import pytest

from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.fixtures import arxiv_config, fake_arxiv  # noqa: F401 - fixtures
from verifier.arxiv import (
    ArxivFetcher,
    ContentRejected,
    GaveUp,
    NotOnArxiv,
    OfflineMiss,
    RequestRefused,
    parse_arxiv_id,
)
from verifier.text import extract_document


def _paths(server: FakeArxiv, kind: str) -> list[str]:
    return [r.path for r in server.requests_of(kind)]


def test_versioned_id_gets_that_versions_metadata_and_pdf(fake_arxiv, arxiv_config):
    with ArxivFetcher(arxiv_config()) as fetcher:
        paper = fetcher.fetch(parse_arxiv_id("2005.13013v1"))
        pdf = fetcher.read(paper.pdf)
    meta = paper.metadata
    assert meta.id.key == "2005.13013v1"
    assert (meta.version, meta.latest_version, meta.is_latest) == (1, 2, False)
    assert meta.title.startswith("English intermediate-task training")
    assert meta.authors[0] == "Jason Phang" and len(meta.authors) == 8
    assert meta.categories == ["cs.CL"] and meta.primary_category == "cs.CL"
    assert meta.published.year == 2020 and meta.updated.month == 5
    assert paper.version == 1
    assert pdf == fake_arxiv.pdf_bytes("2005.13013", 1)
    assert _paths(fake_arxiv, "pdf") == ["/pdf/2005.13013v1"]
    assert paper.html is None  # v1 has no HTML: the 404 is remembered, not an error
    assert "seven intermediate" in extract_document(pdf, "pdf").text
    # One API request answered both the cited version and the latest one.
    (api,) = fake_arxiv.requests_of("api")
    assert api.query["id_list"] == ["2005.13013v1,2005.13013"]


def test_unversioned_id_pins_the_current_version(fake_arxiv, arxiv_config):
    with ArxivFetcher(arxiv_config()) as fetcher:
        paper = fetcher.fetch(parse_arxiv_id("2005.13013"))
        html = fetcher.read(paper.html)
    assert paper.metadata.id.key == "2005.13013v2" and paper.metadata.is_latest
    assert paper.version == 2
    assert _paths(fake_arxiv, "pdf") == ["/pdf/2005.13013v2"]
    assert _paths(fake_arxiv, "html") == ["/html/2005.13013v2"]
    assert b"<td>SQuAD</td>" in html


def test_old_style_id_is_fetched_by_its_path(fake_arxiv, arxiv_config):
    from tests.fakes.papers import _generic

    fake_arxiv.add(_generic("hep-th/9901001", 1, "Old-style paper", "strings", 1999))
    with ArxivFetcher(arxiv_config(html_url=None)) as fetcher:
        paper = fetcher.fetch(parse_arxiv_id("hep-th/9901001v1"))
    assert paper.metadata.id.key == "hep-th/9901001v1"
    assert _paths(fake_arxiv, "pdf") == ["/pdf/hep-th/9901001v1"]


def test_unknown_paper_and_unknown_version_are_not_on_arxiv(fake_arxiv, arxiv_config):
    with ArxivFetcher(arxiv_config()) as fetcher:
        with pytest.raises(NotOnArxiv, match="no paper 2912.99999"):
            fetcher.fetch(parse_arxiv_id("2912.99999v1"))
        with pytest.raises(NotOnArxiv, match=r"no version v7 of 2005.13013 \(latest is v2\)"):
            fetcher.fetch(parse_arxiv_id("2005.13013v7"))
    assert fake_arxiv.requests_of("pdf") == []


def test_cache_hit_makes_zero_requests(fake_arxiv, arxiv_config):
    config = arxiv_config()
    with ArxivFetcher(config) as fetcher:
        first = fetcher.fetch(parse_arxiv_id("2005.13013v2"))
    seen = len(fake_arxiv.requests)
    assert seen == 3  # metadata, PDF, HTML
    with ArxivFetcher(config) as fetcher:  # a new fetcher (as in another process): same cache
        again = fetcher.fetch(parse_arxiv_id("2005.13013v2"))
        v1_missing_html = fetcher.fetch(parse_arxiv_id("2005.13013v1"))
        v1_again = fetcher.fetch(parse_arxiv_id("2005.13013v1"))
    assert again.pdf == first.pdf and again.html == first.html
    assert v1_again.pdf == v1_missing_html.pdf and v1_again.html is None
    # v2 again: nothing at all. v1 once: metadata, PDF, the HTML probe (404); then nothing.
    assert [(r.kind, r.key) for r in fake_arxiv.requests[seen:]] == [
        ("api", None), ("pdf", "2005.13013v1"), ("html", "2005.13013v1")]


def test_retries_after_503_honouring_retry_after(fake_arxiv, arxiv_config):
    fake_arxiv.fail("pdf", 503, times=2, retry_after="1")
    with ArxivFetcher(arxiv_config(retries=3)) as fetcher:
        paper = fetcher.fetch(parse_arxiv_id("2005.13013v1"))
    assert paper.pdf is not None
    attempts = fake_arxiv.requests_of("pdf")
    assert len(attempts) == 3
    assert attempts[1].time - attempts[0].time >= 1.0  # Retry-After: 1 beats the 0.05 s back-off


def test_retries_429_and_500_with_exponential_backoff(fake_arxiv, arxiv_config):
    fake_arxiv.fail("api", 429, times=1)
    fake_arxiv.fail("api", 500, times=1)
    with ArxivFetcher(arxiv_config(retries=2, backoff_s=0.2, min_interval_s=0.0)) as fetcher:
        fetcher.metadata(parse_arxiv_id("2005.13013v2"))
    times = [r.time for r in fake_arxiv.requests_of("api")]
    assert len(times) == 3
    # Exponential back-off: 0.2 s, then 0.4 s.
    assert times[1] - times[0] >= 0.2 and times[2] - times[1] >= 0.4


def test_gives_up_with_the_reason_after_repeated_failures(fake_arxiv, arxiv_config):
    fake_arxiv.fail("api", 503, times=None)
    with ArxivFetcher(arxiv_config(retries=2)) as fetcher:
        with pytest.raises(GaveUp, match="gave up after 3 attempts: HTTP 503") as caught:
            fetcher.fetch(parse_arxiv_id("2005.13013v2"))
    assert caught.value.attempts == 3 and caught.value.url.startswith(fake_arxiv.api_url)
    assert len(fake_arxiv.requests_of("api")) == 3
    assert fake_arxiv.requests_of("pdf") == []


def test_too_long_retry_after_gives_up_at_once(fake_arxiv, arxiv_config):
    fake_arxiv.fail("api", 429, times=None, retry_after="3600")
    with ArxivFetcher(arxiv_config(retries=4)) as fetcher:
        with pytest.raises(GaveUp, match="asked to wait 3600 s"):
            fetcher.metadata(parse_arxiv_id("2005.13013v2"))
    assert len(fake_arxiv.requests_of("api")) == 1


def test_a_slow_response_times_out_and_is_retried(fake_arxiv, arxiv_config):
    fake_arxiv.slow("pdf", 1.0, times=1)
    with ArxivFetcher(arxiv_config(timeout_s=0.3, retries=1, min_interval_s=0.0)) as fetcher:
        started = time.monotonic()
        paper = fetcher.fetch(parse_arxiv_id("2005.13013v1"))
        elapsed = time.monotonic() - started
    assert paper.pdf is not None and len(fake_arxiv.requests_of("pdf")) == 2
    assert elapsed < 1.0  # the client gave up on the slow answer instead of waiting for it


def test_a_response_that_stays_slow_fails_with_timeout(fake_arxiv, arxiv_config):
    fake_arxiv.slow("api", 1.0, times=None)
    with ArxivFetcher(arxiv_config(timeout_s=0.2, retries=1, min_interval_s=0.0)) as fetcher:
        with pytest.raises(GaveUp, match="timed out after 0.2 s"):
            fetcher.fetch(parse_arxiv_id("2005.13013v1"))


def test_connection_refused_is_retried_then_given_up(tmp_path, arxiv_config):
    with FakeArxiv() as gone:
        dead = gone.base_url
    config = arxiv_config(api_url=f"{dead}/api/query", pdf_url=f"{dead}/pdf/{{id}}", html_url=None, retries=1)
    with ArxivFetcher(config) as fetcher:
        with pytest.raises(GaveUp, match="connection error: ConnectError"):
            fetcher.fetch(parse_arxiv_id("2005.13013v1"))


@pytest.mark.parametrize("declare_length", [True, False])
def test_oversized_body_is_rejected(fake_arxiv, arxiv_config, declare_length):
    fake_arxiv.oversize("pdf", 3_000_000, declare_length=declare_length)
    with ArxivFetcher(arxiv_config(max_download_bytes=1_000_000, html_url=None)) as fetcher:
        with pytest.raises(ContentRejected, match="exceeds the 1000000-byte cap"):
            fetcher.fetch(parse_arxiv_id("2005.13013v1"))
    assert not list((arxiv_config().data_dir / "cache" / "blobs").glob("*/*"))


def test_non_pdf_body_is_rejected(fake_arxiv, arxiv_config):
    fake_arxiv.respond("pdf", b"<html><body>Please verify you are a human</body></html>", "text/html")
    with ArxivFetcher(arxiv_config()) as fetcher:
        with pytest.raises(ContentRejected, match="not a PDF .*text/html"):
            fetcher.fetch(parse_arxiv_id("2005.13013v1"))  # v1 has no HTML to fall back on
        paper = fetcher.fetch(parse_arxiv_id("2005.13013v2"))  # v2 has: its text still comes
    assert paper.pdf is None and paper.html is not None
    assert any("not a PDF" in w for w in paper.warnings)


def test_redirect_to_a_foreign_host_is_refused(fake_arxiv, arxiv_config):
    with FakeArxiv() as foreign:
        fake_arxiv.redirect("pdf", foreign.pdf_url.format(id="2005.13013v1"))
        with ArxivFetcher(arxiv_config(html_url=None)) as fetcher:
            with pytest.raises(RequestRefused, match="refused redirect .* not a configured arXiv host"):
                fetcher.fetch(parse_arxiv_id("2005.13013v1"))
        assert foreign.requests == []


def test_redirect_on_the_same_host_is_followed(fake_arxiv, arxiv_config):
    fake_arxiv.redirect("pdf", f"{fake_arxiv.base_url}/pdf/2005.13013v1", times=1, status=301)
    with ArxivFetcher(arxiv_config(html_url=None)) as fetcher:
        paper = fetcher.fetch(parse_arxiv_id("2005.13013v1"))
    assert paper.pdf.url.endswith("/pdf/2005.13013v1")
    assert len(fake_arxiv.requests_of("pdf")) == 2


def test_unconfigured_host_is_never_contacted(fake_arxiv, arxiv_config):
    with FakeArxiv() as other:
        config = arxiv_config()
        with ArxivFetcher(config) as fetcher:
            with pytest.raises(RequestRefused, match="refused request to http://localhost"):
                fetcher.http.get(other.base_url.replace("127.0.0.1", "localhost") + "/pdf/x")
        assert other.requests == []


def test_offline_never_touches_the_network(fake_arxiv, arxiv_config):
    with ArxivFetcher(arxiv_config(offline=True)) as fetcher:
        with pytest.raises(OfflineMiss, match="no cached metadata for 2005.13013"):
            fetcher.fetch(parse_arxiv_id("2005.13013"))
        with pytest.raises(OfflineMiss, match="PDF of 2005.13013v2 is not cached"):
            fetcher.fetch(parse_arxiv_id("2005.13013v2"))
    assert fake_arxiv.requests == []
    with ArxivFetcher(arxiv_config()) as fetcher:
        online = fetcher.fetch(parse_arxiv_id("2005.13013"))
    seen = len(fake_arxiv.requests)
    with ArxivFetcher(arxiv_config(offline=True)) as fetcher:
        offline = fetcher.fetch(parse_arxiv_id("2005.13013"))  # the last known current version
    assert offline.pdf == online.pdf and offline.version == 2
    assert len(fake_arxiv.requests) == seen
