"""Review regressions in the audit and the synthesis export."""

from __future__ import annotations

from pathlib import Path

from app.services.synthesis import to_markdown
from app.settings import Settings
from tests.app.test_verify import attach_versions, verify_through_api


def test_a_claim_on_xlm_r_large_counts_as_mentioning_xlm_r(
        settings: Settings, ingested: list[int], client, tmp_path: Path) -> None:
    attach_versions(settings, tmp_path)
    report = ingested[0]
    verify_through_api(settings, client, report)
    audit = client.get(f"/api/reports/{report}/audit").json()
    question = audit["research_question"]
    assert question["addressed"] is False
    assert "XLM-R" not in question["missing_entities"]  # "The pretrained XLM-R Large model ..." is supported
    assert "XTREME-R" in question["missing_entities"] and "XLM-R," not in question["explanation"]
    measured = audit["measured"]
    # P(supported) is its own figure, not the confidence of whatever verdict was reached.
    assert 0.0 < measured["mean_probability_supported"] < 1.0
    assert measured["mean_probability_supported"] != measured["mean_confidence"]


def test_markdown_keeps_a_multiline_table_passage_inside_its_quote() -> None:
    table = "Table 1: Improvement by intermediate task.\nIntermediate task | Avg.\nSQuAD | 8.2"
    data = {"title": "T", "research_question": None, "left_out": {"contradicted": 0, "not_enough_info": 0,
                                                                  "unverified": 0},
            "findings": [{"text": "SQuAD helps by 8.2 points.", "confidence": 0.9, "version_notes": [],
                          "completed_from_source": True,
                          "evidence": [{"source": "2005.13013v2", "page": None, "text": table}]}]}
    lines = to_markdown(data).splitlines()
    quote = [line for line in lines if "SQuAD | 8.2" in line]
    assert quote == ["   > Table 1: Improvement by intermediate task. Intermediate task | Avg. SQuAD | 8.2 "
                     "— arXiv 2005.13013v2"]
    assert "completed from the source" in lines[lines.index("## Supported findings") + 2]
