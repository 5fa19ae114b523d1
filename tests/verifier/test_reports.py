"""The report parser on the sample reports and on every malformed-input rule."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import EXAMPLE_REPORTS
from tests.malformed import SAMPLE, cases
from verifier.reports import (ReportParseError, ReportTooLargeError, claim_group_key, claim_key, decode_report,
                              parse_report)


def parse_sample(index: int = 0):
    return parse_report(EXAMPLE_REPORTS[index].read_text())


def test_plain_report_front_matter_and_figures() -> None:
    report = parse_sample(0)
    assert report.title.startswith("Intermediate Task Quantity and Combination Effects")
    assert report.author == "Assignee Research"
    assert report.date == date(2026, 6, 21)
    assert report.research_question.startswith("How does the number of intermediate tasks")
    assert report.research_question.endswith("highest alignment scores?")
    assert (report.papers_retrieved, report.claims_extracted, report.claims_verified) == (12, 14, 13)
    assert report.quality_score == 8.9


def test_claims_keep_marks_confidences_and_lines() -> None:
    report = parse_sample(0)
    assert len(report.claims) == 14
    assert [c.verified for c in report.claims].count(False) == 1
    last = report.claims[-1]
    assert (last.verified, last.confidence) == (False, 0.11)
    assert report.text.split("\n")[last.line - 1].startswith(last.text)
    assert report.claims[1].text == "Multi-task intermediate-task training on all 9 tasks performs best, improving by 8.7 points."


def test_truncated_claims_are_marked() -> None:
    claims = {c.text: c.truncated for c in parse_sample(0).claims}
    assert claims["Multi-task intermediate-task training on all 9 tasks performs best, improving by 8.7 points."] is False
    cut = next(text for text in claims if text.endswith("no training d"))
    assert claims[cut] is True
    assert claims[next(t for t in claims if t.endswith("does not see benefits from intermediate"))] is True


def test_markdown_report_parses_like_plain() -> None:
    markdown = next(p for p in EXAMPLE_REPORTS if p.read_text().lstrip().startswith("#"))
    report = parse_report(markdown.read_text())
    assert not report.title.startswith("#")
    assert report.claims and report.references
    assert report.research_question


def test_references_with_and_without_version_and_invalid_ones_warn() -> None:
    text = SAMPLE.decode().rstrip() + "\n- arXiv:2005.13013\n- hep-th/9901001v1\n- Some Book, 2019\n"
    report = parse_report(text)
    keys = [ref.arxiv.key if ref.arxiv else None for ref in report.references]
    assert keys == ["2104.07412v2", "2506.15415v1", "2005.13013v2", "2005.13013", "hep-th/9901001v1", None]
    assert report.references[-1].raw == "Some Book, 2019"
    assert len(report.warnings) == 1 and "not a valid arXiv id" in report.warnings[0]
    assert report.warnings[0].startswith(f"line {report.references[-1].line}:")


def test_same_text_with_other_line_endings_has_same_hash() -> None:
    text = EXAMPLE_REPORTS[1].read_text()
    assert parse_report(text).sha256 == parse_report(text.replace("\n", "\r\n") + "\n\n").sha256


def test_claim_key_ignores_case_and_whitespace_and_group_key_determiners() -> None:
    assert claim_key("The  XTREME benchmark.") == claim_key("the xtreme\tbenchmark.")
    assert claim_key("A b.") != claim_key("A c.")
    assert claim_group_key("Evaluating our best models") == claim_group_key("Evaluating the best models")
    assert claim_group_key("Evaluating our best models") != claim_group_key("Evaluating our worst models")


@pytest.mark.parametrize("case", cases(max_claims=20, max_bytes=50_000), ids=lambda c: c.name)
def test_malformed_reports_name_the_line(case) -> None:
    with pytest.raises(ReportParseError) as raised:
        text = decode_report(case.data, max_bytes=50_000)
        parse_report(text, max_bytes=50_000, max_claims=20)
    assert raised.value.line == case.line
    assert case.message in raised.value.message
    assert isinstance(raised.value, ReportTooLargeError) == (case.status == 413)
