"""POST/GET /api/reports through the real app on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import Citation, Claim, ClaimMention, Report, Source
from tests.conftest import EXAMPLE_REPORTS
from tests.malformed import cases

LIMITS = {"max_report_claims": 20, "max_report_bytes": 50_000}


def table_counts(session) -> dict[str, int]:
    return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Report, Claim, ClaimMention, Citation, Source)}


def test_five_samples_ingest_into_shared_claims_with_own_confidences(client, session) -> None:
    statuses = [client.post("/api/reports", content=p.read_bytes()).status_code for p in EXAMPLE_REPORTS]
    assert statuses == [201] * 5
    counts = table_counts(session)
    assert counts["reports"] == 5
    assert counts["claim_mentions"] == 14 + 9 + 9 + 10 + 9
    assert counts["claims"] == 18  # distinct wordings across the five samples
    # "Applying intermediate-task training to BUCC and Tatoeba…" is stated with 0.30 and 0.29.
    claim = session.scalar(select(Claim).where(Claim.text.like("Applying intermediate-task training to BUCC%")))
    detail = client.get(f"/api/claims/{claim.id}").json()
    assert sorted(m["stated_confidence"] for m in detail["mentions"]) == [0.29, 0.29, 0.29, 0.3, 0.3]
    assert len({m["report_id"] for m in detail["mentions"]}) == len(detail["mentions"]) == 5


def test_reingest_is_a_no_op_returning_the_existing_id(client, session) -> None:
    first = client.post("/api/reports", content=EXAMPLE_REPORTS[0].read_bytes())
    before = table_counts(session)
    again = client.post("/api/reports", content=EXAMPLE_REPORTS[0].read_bytes().replace(b"\n", b"\r\n"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["created"] is False
    assert again.headers["location"] == f"/api/reports/{first.json()['id']}"
    session.expire_all()
    assert table_counts(session) == before


def test_multipart_upload(client) -> None:
    path = EXAMPLE_REPORTS[2]
    response = client.post("/api/reports", files={"file": (path.name, path.read_bytes(), "text/plain")})
    assert response.status_code == 201
    assert response.json()["claims"] == 9


def test_report_detail_has_stated_figures_claims_and_citations(client) -> None:
    report_id = client.post("/api/reports", content=EXAMPLE_REPORTS[0].read_bytes()).json()["id"]
    detail = client.get(f"/api/reports/{report_id}").json()
    assert detail["stated"] == {"papers_retrieved": 12, "claims_extracted": 14, "claims_verified": 13,
                                "quality_score": 8.9}
    assert detail["report_date"] == "2026-06-21"
    assert len(detail["claims"]) == 14 and detail["claims"][-1]["stated_verified"] is False
    assert [c["arxiv_key"] for c in detail["citations"]] == ["2104.07412v2", "2506.15415v1", "2005.13013v2"]
    listing = client.get("/api/reports").json()
    assert listing["total"] == 1 and listing["items"][0]["claim_count"] == 14


def test_invalid_reference_is_kept_with_a_warning_and_no_source(client, session) -> None:
    text = EXAMPLE_REPORTS[0].read_text().rstrip() + "\n- Some Book, 2019\n"
    body = client.post("/api/reports", content=text.encode()).json()
    assert len(body["warnings"]) == 1 and "not a valid arXiv id" in body["warnings"][0]
    citations = client.get(f"/api/reports/{body['id']}").json()["citations"]
    assert citations[-1] == {"position": 3, "raw": "Some Book, 2019", "source_id": None, "arxiv_key": None,
                             "warning": citations[-1]["warning"]}
    assert table_counts(session)["sources"] == 3


def test_missing_report_is_a_json_404(client) -> None:
    response = client.get("/api/reports/999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.fixture
def limited_client(settings, client_for):
    return client_for("editor", settings.model_copy(update=LIMITS))


@pytest.mark.parametrize("case", cases(max_claims=20, max_bytes=50_000), ids=lambda c: c.name)
def test_malformed_report_is_rejected_whole(limited_client, session, case) -> None:
    response = limited_client.post("/api/reports", content=case.data)
    assert response.status_code == case.status
    error = response.json()["error"]
    assert case.message in error["message"]
    if case.line:
        assert error["details"]["line"] == case.line
    assert all(count == 0 for count in table_counts(session).values())
