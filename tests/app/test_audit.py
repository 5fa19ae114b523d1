"""Report audit and synthesis export over verified sample reports."""

from __future__ import annotations

from pathlib import Path

from app.db import session_scope
from app.services.audit_input import audit_input_of, load_audit_input
from app.services.verdicts import load_report_runs
from app.settings import Settings
from tests.app.test_verify import attach_versions, verify_through_api


def test_audit_compares_stated_and_measured_and_checks_the_question(
        settings: Settings, ingested: list[int], client, tmp_path: Path) -> None:
    attach_versions(settings, tmp_path)
    report = ingested[0]
    unverified = client.get(f"/api/reports/{report}/audit").json()
    assert unverified["measured"]["claims_checked"] == 0 and len(unverified["unsupported_claims"]) == 14
    verify_through_api(settings, client, report)
    audit = client.get(f"/api/reports/{report}/audit").json()
    stated, measured = audit["stated"], audit["measured"]
    assert (stated["claims_extracted"], stated["claims_verified"], stated["claims_marked_verified"]) == (14, 13, 13)
    assert measured["claims_checked"] == 14
    assert measured["claims_supported"] + measured["claims_contradicted"] + measured["claims_not_enough_info"] == 14
    assert measured["claims_supported"] < stated["claims_verified"]  # the report overstates itself
    assert len(audit["unsupported_claims"]) == 14 - measured["claims_supported"]
    assert {s["key"] for s in audit["unused_sources"]} >= {"2104.07412v2", "2506.15415v1"}
    assert "2005.13013v2" not in {s["key"] for s in audit["unused_sources"]}
    question = audit["research_question"]
    assert "XTREME-R" in question["question"] and question["addressed"] is False
    assert "XTREME-R" in question["missing_entities"]
    assert client.get("/api/reports/999/audit").status_code == 404


def test_the_audit_api_reads_what_the_report_page_has_loaded(
        settings: Settings, ingested: list[int], client, tmp_path: Path) -> None:
    """The audit API's five Core queries and the report page's ORM objects give equal records."""
    attach_versions(settings, tmp_path)
    report = ingested[0]
    verify_through_api(settings, client, report)
    with session_scope(settings) as session:
        queried = load_audit_input(session, report)
        converted = audit_input_of(load_report_runs(session, report))
    assert queried == converted
    assert len(queried.mentions) == 14 and len(queried.runs) == 14
    assert [m.position for m in queried.mentions] == sorted(m.position for m in queried.mentions)
    assert any(run.relied_on for run in queried.runs.values()) and len(queried.sources) >= 3


def test_synthesis_exports_supported_findings_with_evidence(
        settings: Settings, ingested: list[int], client, tmp_path: Path) -> None:
    attach_versions(settings, tmp_path)
    report = ingested[0]
    verify_through_api(settings, client, report)
    data = client.get(f"/api/reports/{report}/synthesis", params={"format": "json"}).json()
    assert data["findings"], "at least one sample claim is supported by the attached v2 text"
    for finding in data["findings"]:
        assert finding["evidence"] and all(e["source"] == "2005.13013v2" for e in finding["evidence"])
    assert sum(data["left_out"].values()) + len(data["findings"]) == 14
    markdown = client.get(f"/api/reports/{report}/synthesis", params={"format": "md"})
    assert markdown.headers["content-type"].startswith("text/markdown")
    first = data["findings"][0]
    assert f"1. {first['text']}" in markdown.text and "> " in markdown.text and "arXiv 2005.13013v2" in markdown.text
    assert client.get(f"/api/reports/{report}/synthesis", params={"format": "pdf"}).status_code == 422
