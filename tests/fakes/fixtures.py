"""Pytest fixtures around the fake arXiv; import them into a test module to use them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.papers import SAMPLE_PAPERS
from verifier.arxiv import ArxivConfig

FAST_INTERVAL_S = 0.05  # spacing for tests that are not about the rate limit


@pytest.fixture
def fake_arxiv() -> Iterator[FakeArxiv]:
    """The fake arXiv serving the sample papers, on a free port of 127.0.0.1."""
    with FakeArxiv(SAMPLE_PAPERS) as server:
        yield server


@pytest.fixture
def arxiv_config(fake_arxiv: FakeArxiv, tmp_path: Path) -> Callable[..., ArxivConfig]:
    """Config for the fake arXiv in a fresh data dir; keyword arguments override fields."""

    def make(**overrides: object) -> ArxivConfig:
        values: dict[str, object] = {
            "data_dir": tmp_path / "data", "api_url": fake_arxiv.api_url, "pdf_url": fake_arxiv.pdf_url,
            "html_url": fake_arxiv.html_url, "min_interval_s": FAST_INTERVAL_S, "timeout_s": 2.0,
            "retries": 2, "backoff_s": 0.05,
        }
        values.update(overrides)
        return ArxivConfig(**values)  # type: ignore[arg-type]

    return make
