"""The web view over HTTP (the real app on SQLite and PostgreSQL): every page renders, sign-in
redirects, editor forms need the CSRF token, presets pass the spec policy, errors are pages for
browsers and JSON for the API."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.db import session_scope
from app.models import Claim, Job
from tests.conftest import make_token

HTML = {"Accept": "text/html"}


def claim_id(settings, prefix: str) -> int:
    with session_scope(settings) as db:
        return db.scalar(select(Claim.id).where(Claim.text.startswith(prefix)))


def signed_in(client_for, settings, role: str):
    """An anonymous client signed in by cookie with a new token of ``role``; returns (client, csrf)."""
    client = client_for(None)
    response = client.post("/auth/signin", data={"token": make_token(settings, role), "next": "/claims"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/claims"
    page = client.get("/claims", headers=HTML).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client, csrf


def test_every_page_renders_for_a_reader(anon_client, settings, ingested) -> None:
    target = claim_id(settings, "Multi-task intermediate-task training")
    for path in ("/", "/claims", "/claims?verdict=unchecked&sort=-text&limit=5", f"/claims/{target}",
                 "/reports", f"/reports/{ingested[0]}", "/sources", "/sources/1", "/sources?status=pending",
                 "/jobs", "/jobs?status=queued", "/signin"):
        response = anon_client.get(path, headers=HTML)
        assert response.status_code == 200, (path, response.text[:500])
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-store"
        assert "<script>" not in response.text and response.text.count("<script") == 1  # app.js only
    markdown = anon_client.get(f"/reports/{ingested[0]}/synthesis.md")
    assert markdown.headers["content-type"].startswith("text/markdown") and markdown.text.startswith("# Synthesis")


def test_static_files_are_cacheable(anon_client) -> None:
    for name in ("app.css", "app.js", "favicon.svg"):
        response = anon_client.get(f"/static/{name}")
        assert response.status_code == 200 and response.headers["cache-control"] == "public, max-age=86400"


def test_reads_redirect_to_sign_in_when_auth_is_on(client_for, settings) -> None:
    client = client_for(None, settings.model_copy(update={"auth": "on"}))
    response = client.get("/claims?verdict=supported", headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/claims%3Fverdict%3Dsupported&why=read"
    assert client.get("/signin", headers=HTML).status_code == 200  # the sign-in page itself is open
    viewer = client_for("viewer", settings.model_copy(update={"auth": "on"}))
    assert viewer.get("/claims", headers=HTML).status_code == 200


def test_editor_forms_need_sign_in_role_and_csrf(client_for, settings, ingested) -> None:
    target = claim_id(settings, "Multi-task intermediate-task training")
    anonymous = client_for(None)
    response = anonymous.post(f"/claims/{target}/verify", headers=HTML, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith(f"/signin?next=/claims/{target}")

    viewer, csrf = signed_in(client_for, settings, "viewer")
    response = viewer.post(f"/claims/{target}/verify", data={"csrf_token": csrf}, headers=HTML)
    assert response.status_code == 403 and "needs an editor token" in response.text

    editor, csrf = signed_in(client_for, settings, "editor")
    refused = editor.post(f"/claims/{target}/verify", data={}, headers=HTML)
    assert refused.status_code == 403 and "CSRF" in refused.text
    other_site = editor.post(f"/claims/{target}/verify", data={"csrf_token": csrf},
                             headers={**HTML, "Origin": "https://evil.example"})
    assert other_site.status_code == 403
    with session_scope(settings) as db:
        assert db.scalar(select(Job.id)) is None  # nothing queued by the refused posts
    done = editor.post(f"/claims/{target}/verify", data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303 and re.fullmatch(rf"/claims/{target}\?done=verify&job=\d+", done.headers["location"])
    page = editor.get(done.headers["location"], headers=HTML).text
    assert "Verification queued as job" in page
    report = editor.post(f"/reports/{ingested[0]}/verify", data={"csrf_token": csrf}, follow_redirects=False)
    assert report.status_code == 303
    job_id = int(report.headers["location"].rsplit("=", 1)[1])
    cancelled = editor.post(f"/jobs/{job_id}/cancel", data={"csrf_token": csrf}, follow_redirects=False)
    assert cancelled.status_code == 303
    assert "cancelled" in editor.get(f"/jobs/{job_id}", headers=HTML).text


def test_replication_presets_pass_the_spec_policy(client, settings, ingested) -> None:
    target = claim_id(settings, "Multi-task intermediate-task training")
    demo = client.post(f"/claims/{target}/replicate", data={"preset": "demo"}, follow_redirects=False)
    assert demo.status_code == 303, demo.text
    with session_scope(settings) as db:
        job = db.scalars(select(Job).order_by(Job.id.desc())).first()
        spec = job.payload["spec"]
    assert spec["name"].startswith("synthetic-demo")
    assert spec["model"] == str((settings.data_dir / "models" / "demo-tiny").resolve())
    assert spec["data_dir"] == str((settings.data_dir / "datasets" / "demo-tiny").resolve())
    assert any("SYNTHETIC DEMONSTRATION" in note for note in spec["notes"])
    card = client.get(f"/jobs/{job.id}/card", headers=HTML).text
    assert "synthetic demonstration" in card and f'data-job-card="{job.id}"' in card
    derived = client.post(f"/claims/{target}/replicate", data={"preset": "derived"}, headers=HTML)
    assert derived.status_code == 422  # no XTREME data here: refused before queueing, with the fix
    assert "CLAIMTRACE_XTREME_DATA_DIR" in derived.text and "claimtrace xtreme check" in derived.text
    not_replicable = client.post(f"/claims/{claim_id(settings, 'TyDiQA shows')}/replicate",
                                 data={"preset": "derived"}, headers=HTML)
    assert not_replicable.status_code == 422 and "not replicable" in not_replicable.text
    assert client.post(f"/claims/{target}/replicate", data={"preset": "gpu-farm"}, headers=HTML).status_code == 422


def test_errors_are_pages_for_browsers_and_json_for_the_api(anon_client) -> None:
    page = anon_client.get("/claims/999999", headers=HTML)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "claim 999999 does not exist" in page.text and "Traceback" not in page.text
    assert anon_client.get("/claims/999999").json()["error"]["code"] == "not_found"  # no Accept: JSON
    api = anon_client.get("/api/claims/999999", headers=HTML)
    assert api.headers["content-type"] == "application/json" and api.json()["error"]["code"] == "not_found"
    bad = anon_client.get("/claims?report=x1", headers=HTML)
    assert bad.status_code == 400 and "report must be a positive id" in bad.text
    invalid = anon_client.get("/claims?limit=0", headers=HTML)
    assert invalid.status_code == 422 and "limit" in invalid.text


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/\\evil"])
def test_sign_in_page_never_sends_anyone_off_site(anon_client, target) -> None:
    page = anon_client.get("/signin", params={"next": target}, headers=HTML).text
    assert 'name="next" value="/"' in page


def test_any_verdict_string_is_counted_and_badged(anon_client, settings, ingested) -> None:
    """Verdicts the pages do not know yet (``unchecked`` from the verifier, anything later) render
    generically: counted on the dashboard, filterable, badged in words."""
    from app.models import ClaimMention, Verification

    target = claim_id(settings, "Multi-task intermediate-task training")
    with session_scope(settings) as db:
        mention = db.scalars(select(ClaimMention).where(ClaimMention.claim_id == target)).first()
        db.add(Verification(mention_id=mention.id, claim_id=target, verdict="unchecked", confidence=0.0,
                            explanation="no cited source has text", verifier_version="test"))
        db.commit()
    dashboard = anon_client.get("/", headers=HTML).text
    assert 'href="/claims?verdict=unchecked"' in dashboard and "not checked" in dashboard
    table = anon_client.get("/claims?verdict=unchecked", headers=HTML).text
    assert f'href="/claims/{target}"' in table and 'class="badge v-unchecked"' in table
    page = anon_client.get(f"/claims/{target}", headers=HTML).text
    assert "no cited source has text" in page and "not checked" in page


def test_an_unexpected_error_is_a_page_without_details_for_browsers(settings) -> None:
    from fastapi.testclient import TestClient

    from app.main import create_app

    app = create_app(settings)

    def boom() -> None:
        raise RuntimeError("secret /srv/path detail")

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/boom", headers=HTML)
        assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
        assert "report request id" in page.text and "/srv/path" not in page.text
        assert client.get("/boom").json()["error"]["code"] == "internal_error"
