"""/api/sources: detail with version notice, queued fetch, passages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import session_scope
from app.jobs.worker import drain
from app.models import Citation, Source
from tests.fakes.fixtures import fake_arxiv  # noqa: F401 - fixture


@pytest.fixture
def online(settings, fake_arxiv):
    return settings.model_copy(update={**fake_arxiv.settings_overrides(), "arxiv_min_interval_s": 0.01,
                                       "http_retries": 1, "http_backoff_s": 0.01})


@pytest.fixture
def api(online, client_for):
    return client_for("editor", online)


def _add(online, key: str) -> int:
    base, _, version = key.partition("v")
    with session_scope(online) as session:
        source = Source(key=key, arxiv_id=base, version=int(version) if version else None)
        session.add(source)
        session.flush()
        return source.id


def test_fetch_is_queued_then_the_worker_fetches(api, online, fake_arxiv):
    source_id = _add(online, "2005.13013v1")
    response = api.post(f"/api/sources/{source_id}/fetch")
    assert response.status_code == 202
    job = response.json()
    assert (job["kind"], job["status"], job["payload"]["source_id"]) == ("fetch_source", "queued", source_id)
    assert fake_arxiv.requests == []  # the request did not fetch anything itself
    assert api.get(f"/api/sources/{source_id}").json()["status"] == "pending"
    # Asking again while queued returns the same job instead of a second one.
    assert api.post(f"/api/sources/{source_id}/fetch").json()["id"] == job["id"]

    assert drain(online) == 1
    done = api.get(f"/api/jobs/{job['id']}").json()
    assert done["status"] == "succeeded" and done["result"]["status"] == "fetched"

    detail = api.get(f"/api/sources/{source_id}").json()
    assert detail["status"] == "fetched" and detail["error"] is None
    assert (detail["version"], detail["fetched_version"], detail["latest_version"]) == (1, 1, 2)
    assert detail["versions_known"] == ["2005.13013v1", "2005.13013v2"]
    assert detail["is_latest"] is False
    assert detail["version_notice"] == "cited version v1 is not the latest (v2)"
    assert detail["authors"][0] == "Jason Phang" and detail["categories"] == ["cs.CL"]
    assert detail["files"][0]["kind"] == "pdf" and detail["files"][0]["url"].endswith("/pdf/2005.13013v1")
    assert detail["passage_count"] > 3

    passages = api.get(f"/api/sources/{source_id}/passages", params={"limit": 2}).json()
    assert passages["total"] == detail["passage_count"] and len(passages["items"]) == 2
    first = passages["items"][0]
    assert (first["index"], first["page"], first["char_start"]) == (0, 1, 0)
    page_two = api.get(f"/api/sources/{source_id}/passages", params={"page": 2, "limit": 500}).json()
    assert page_two["items"] and all(p["page"] == 2 for p in page_two["items"])
    assert any("seven" in p["text"] for p in api.get(f"/api/sources/{source_id}/passages").json()["items"])


def test_a_failing_fetch_fails_its_job_and_records_the_reason(api, online, fake_arxiv):
    fake_arxiv.fail("pdf", 503, times=None)
    source_id = _add(online, "2109.13620v1")
    job = api.post(f"/api/sources/{source_id}/fetch").json()
    drain(online)
    done = api.get(f"/api/jobs/{job['id']}").json()
    assert done["status"] == "failed" and "source 2109.13620v1 is failed" in done["error"]
    detail = api.get(f"/api/sources/{source_id}").json()
    assert detail["status"] == "failed"
    assert "gave up after 2 attempts: HTTP 503" in detail["error"]
    assert detail["passage_count"] == 0 and detail["version_notice"] is None


def test_unknown_source_is_a_json_404(api):
    for response in (api.get("/api/sources/999"), api.post("/api/sources/999/fetch"),
                     api.get("/api/sources/999/passages")):
        assert response.status_code == 404
        assert response.json()["error"] == {"code": "not_found", "message": "source 999 does not exist",
                                            "details": None}


def test_sources_of_ingested_reports_can_be_fetched_through_the_api(api, online, ingested):
    with session_scope(online) as session:
        ids = sorted(set(session.scalars(select(Citation.source_id).where(Citation.report_id == ingested[0]))))
    jobs = [api.post(f"/api/sources/{i}/fetch").json()["id"] for i in ids]
    assert drain(online) == len(jobs)
    statuses = {api.get(f"/api/sources/{i}").json()["status"] for i in ids}
    assert statuses == {"fetched"}
    listing = api.get("/api/sources", params={"status": "fetched"}).json()
    assert listing["total"] == len(ids)
