"""Property tests: the report parser on any text, arXiv ids, in bounded time."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings, strategies as st

from tests.malformed import SAMPLE_LINES
from verifier.arxiv_ids import ArxivId, InvalidArxivId, parse_arxiv_id
from verifier.reports import ParsedReport, ReportParseError, parse_report

FAST = settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
ALPHABET = st.sampled_from(list("0123456789,. \t\n#-*[]()?:/<>✓×abcXYZ") + ["papers retrieved", "verified",
                           "claims extracted", "Research question:", "quality score", "arxiv:", "arxiv.org/abs/",
                           "Claim\tVerified\tConfidence", "References", "## ", "2005.13013v2"])


def parse_or_refuse(text: str) -> ParsedReport | None:
    """Either a report or ReportParseError; anything else (or a slow parse) fails the property."""
    started = time.perf_counter()
    try:
        report = parse_report(text)
    except ReportParseError as exc:
        assert exc.line >= 0 and exc.message
        report = None
    assert time.perf_counter() - started < 1.0
    return report


@FAST
@given(st.text(max_size=3000))
def test_any_text_is_a_report_or_a_parse_error(text: str) -> None:
    parse_or_refuse(text)


@FAST
@given(st.lists(ALPHABET, max_size=400).map("".join))
def test_report_like_noise_is_a_report_or_a_parse_error(text: str) -> None:
    parse_or_refuse(text)


@FAST
@given(st.integers(0, len(SAMPLE_LINES) - 1), st.lists(ALPHABET, max_size=50).map("".join),
       st.integers(1, 20_000))
def test_a_sample_with_a_line_replaced_or_repeated(index: int, noise: str, repeat: int) -> None:
    lines = list(SAMPLE_LINES)
    lines[index] = (noise or "x") * (repeat // max(1, len(noise)))
    report = parse_or_refuse("\n".join(lines))
    if report is not None:
        assert report.claims and all(0.0 <= c.confidence <= 1.0 for c in report.claims)
        assert all(c.line >= 1 for c in report.claims)


@FAST
@given(st.integers(7, 30), st.integers(1, 12), st.integers(1, 99_999), st.one_of(st.none(), st.integers(1, 40)))
def test_new_style_ids_round_trip(year: int, month: int, number: int, version: int | None) -> None:
    digits = 5 if year * 100 + month >= 1501 else 4
    base = f"{year:02d}{month:02d}.{number % 10**digits:0{digits}d}"
    parsed = parse_arxiv_id(f"{base}v{version}" if version else base)
    assert parsed == ArxivId(base, version)
    assert parse_arxiv_id(f"https://arxiv.org/abs/{parsed.key}") == parsed
    assert parse_arxiv_id(f"arXiv:{parsed.key}") == parsed
    assert parse_arxiv_id(str(parsed)) == parsed


@FAST
@given(st.sampled_from(["hep-th", "math.GT", "cond-mat", "astro-ph"]), st.integers(0, 9_999_999),
       st.one_of(st.none(), st.integers(1, 9)))
def test_old_style_ids_round_trip(archive: str, number: int, version: int | None) -> None:
    key = f"{archive}/{number:07d}" + (f"v{version}" if version else "")
    assert parse_arxiv_id(key).key == key


@FAST
@given(st.text(max_size=200))
def test_any_text_is_an_arxiv_id_or_invalid(text: str) -> None:
    try:
        parsed = parse_arxiv_id(text)
    except InvalidArxivId:
        return
    assert parse_arxiv_id(parsed.key) == parsed
