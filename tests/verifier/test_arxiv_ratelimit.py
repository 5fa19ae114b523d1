"""The arXiv rate limit holds across threads and processes of one installation."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from tests.fakes.fixtures import arxiv_config, fake_arxiv  # noqa: F401 - fixtures
from verifier.arxiv import ArxivConfig, ArxivFetcher, parse_arxiv_id
from verifier.ratelimit import RateLimiter

ROOT = Path(__file__).resolve().parents[2]
IDS = ["2005.13013v2", "2003.11080v5", "2104.07412v2", "2007.08970v3", "2109.13620v1", "2306.12916v3"]


def _gaps(times: list[float]) -> list[float]:
    ordered = sorted(times)
    return [b - a for a, b in zip(ordered, ordered[1:])]


def test_concurrent_threads_are_spaced_by_the_interval(fake_arxiv, arxiv_config):
    config = arxiv_config(min_interval_s=0.3, html_url=None)
    errors: list[BaseException] = []

    def fetch(key: str) -> None:
        try:
            with ArxivFetcher(config) as fetcher:  # one client per thread, as in separate jobs
                fetcher.fetch(parse_arxiv_id(key))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=fetch, args=(key,)) for key in IDS[:3]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    times = [r.time for r in fake_arxiv.requests]
    assert len(times) == 6  # metadata and PDF of each of the three
    assert min(_gaps(times)) >= 0.3


_CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from verifier.arxiv import ArxivConfig, ArxivFetcher, parse_arxiv_id
    data_dir, api, pdf, *keys = sys.argv[1:]
    config = ArxivConfig(data_dir=Path(data_dir), api_url=api, pdf_url=pdf, html_url=None,
                         min_interval_s=0.3, timeout_s=5, retries=0)
    with ArxivFetcher(config) as fetcher:
        for key in keys:
            fetcher.fetch(parse_arxiv_id(key))
""")


def test_concurrent_processes_share_the_limit(fake_arxiv, tmp_path):
    data_dir = tmp_path / "data"
    children = [
        subprocess.Popen([sys.executable, "-c", _CHILD, str(data_dir), fake_arxiv.api_url, fake_arxiv.pdf_url,
                          *keys], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        for keys in (IDS[0:2], IDS[2:4])
    ]
    for child in children:
        _, stderr = child.communicate(timeout=60)
        assert child.returncode == 0, stderr
    times = [r.time for r in fake_arxiv.requests]
    assert len(times) == 8  # two processes, two papers each, metadata and PDF
    assert min(_gaps(times)) >= 0.3


def test_the_default_interval_is_three_seconds_and_holds(fake_arxiv, tmp_path):
    config = ArxivConfig(data_dir=tmp_path / "data", api_url=fake_arxiv.api_url, pdf_url=fake_arxiv.pdf_url,
                         html_url=None)
    assert config.min_interval_s == 3.0
    with ArxivFetcher(config) as fetcher:
        fetcher.fetch(parse_arxiv_id("2005.13013v2"))
    times = [r.time for r in fake_arxiv.requests]
    assert len(times) == 2
    assert _gaps(times)[0] >= 3.0


def test_limiter_waits_only_what_is_left(tmp_path):
    clock = [1000.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    limiter = RateLimiter(tmp_path, 3.0, clock=lambda: clock[0], sleep=sleep)
    with limiter.slot():
        clock[0] += 0.5  # the request itself took half a second
    clock[0] += 1.0
    with limiter.slot():
        pass
    assert slept == [pytest.approx(2.0)]  # 3 s after the first request *ended*
    # Another limiter on the same directory (another process) sees the same stamp.
    other = RateLimiter(tmp_path, 3.0, clock=lambda: clock[0], sleep=sleep)
    with other.slot():
        pass
    assert slept[-1] == pytest.approx(3.0)


def test_negative_interval_is_refused(tmp_path):
    with pytest.raises(ValueError, match="min_interval_s must be >= 0"):
        RateLimiter(tmp_path, -1)
