"""Access control: tokens and roles over every route, web sign-in with CSRF, CORS and Host."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from app.db import session_scope
from app.jobs import queue
from app.models import ApiToken, Job
from app.security.binding import settings_for_bind
from tests.conftest import EXAMPLE_REPORTS, make_token

WRITE_METHODS = {"post", "put", "patch", "delete"}
SIGN_IN_PATHS = {"/auth/signin", "/auth/signout"}  # the sign-in mechanism itself, tested below


def write_operations(client) -> list[tuple[str, str]]:
    schema = client.get("/openapi.json").json()
    return [(method, path) for path, item in schema["paths"].items() for method in item
            if method in WRITE_METHODS and path not in SIGN_IN_PATHS]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_write_operation_needs_a_token_and_more_than_a_viewer(anon_client, viewer_client) -> None:
    operations = write_operations(anon_client)
    assert len(operations) >= 8  # ingest, verify x2, fetch, replicate, cancel, tokens x2
    for method, path in operations:
        anonymous = anon_client.request(method, concrete(path))
        assert anonymous.status_code == 401, (method, path, anonymous.text)
        assert anonymous.json()["error"]["code"] == "unauthorized"
        assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
        viewer = viewer_client.request(method, concrete(path))
        assert viewer.status_code == 403, (method, path, viewer.text)
        assert viewer.json()["error"]["code"] == "forbidden"


def test_reads_are_open_unless_auth_is_on(settings, ingested, client_for) -> None:
    assert client_for(None).get("/api/claims").status_code == 200
    locked = settings.model_copy(update={"auth": "on"})
    anonymous = client_for(None, locked)
    schema = anonymous.get("/openapi.json").json()
    reads = [path for path, item in schema["paths"].items() if "get" in item and path.startswith("/api/")]
    for path in reads:
        assert anonymous.get(concrete(path)).status_code == 401, path
    viewer = client_for("viewer", locked)
    assert viewer.get("/api/claims").status_code == 200
    assert viewer.get("/api/tokens").status_code == 403  # token management is for admins
    assert anonymous.get("/healthz").status_code == 200  # probes and docs stay open
    assert anonymous.get("/openapi.json").status_code == 200


def test_serving_off_loopback_turns_auth_on() -> None:
    from app.settings import Settings

    assert settings_for_bind(Settings(), "0.0.0.0")[0].auth == "on"
    assert settings_for_bind(Settings(), "127.0.0.1")[0].auth == "off"
    assert settings_for_bind(Settings(auth="off"), "0.0.0.0")[0].auth == "off"
    assert any("ALLOWED_HOSTS" in w for w in settings_for_bind(Settings(), "0.0.0.0")[1])


def test_roles_editor_writes_admin_manages_tokens(settings, client, viewer_client, admin_client) -> None:
    assert viewer_client.get("/api/reports").status_code == 200
    assert client.post("/api/reports", content=EXAMPLE_REPORTS[0].read_bytes()).status_code == 201
    assert client.get("/api/tokens").status_code == 403
    assert client.post("/api/tokens", json={"name": "x", "role": "viewer"}).status_code == 403
    created = admin_client.post("/api/tokens", json={"name": "ci", "role": "viewer"})
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith("ct_") and body["prefix"] == body["token"][:10]
    listed = admin_client.get("/api/tokens").json()
    assert "token" not in listed[-1] and listed[-1]["name"] == "ci"
    fresh = {"Authorization": f"Bearer {body['token']}"}
    assert client.get("/api/reports", headers=fresh).status_code == 200
    assert admin_client.post(f"/api/tokens/{body['id']}/revoke").json()["revoked_at"]
    assert client.get("/api/reports", headers=fresh).status_code == 401
    again = admin_client.post(f"/api/tokens/{body['id']}/revoke")
    assert again.status_code == 409


def test_tokens_are_stored_hashed_and_record_their_last_use(settings, client_for) -> None:
    token = make_token(settings, "viewer", "hashed")
    with session_scope(settings) as db:
        row = db.scalar(select(ApiToken).where(ApiToken.name == "hashed"))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in row.token_hash
        assert row.last_used_at is None
    client_for(None).get("/api/reports", headers={"Authorization": f"Bearer {token}"})
    with session_scope(settings) as db:
        assert db.scalar(select(ApiToken.last_used_at).where(ApiToken.name == "hashed")) is not None


@pytest.mark.parametrize("header", ["Bearer", "Bearer ct_wrong", "Basic dXNlcjpwdw==", "ct_no_scheme",
                                   "Bearer " + "ct_" + "x" * 500])
def test_bad_credentials_are_401_even_for_reads(anon_client, header) -> None:
    response = anon_client.get("/api/reports", headers={"Authorization": header})
    assert response.status_code == 401 and response.json()["error"]["code"] in {"unauthorized", "invalid_token"}


def test_jobs_record_their_creator_and_only_admins_cancel_others(settings, ingested, client_for) -> None:
    alice, bob, admin = client_for("editor"), client_for("editor"), client_for("admin")
    job = alice.post(f"/api/reports/{ingested[0]}/verify").json()
    with session_scope(settings) as db:
        creator = db.get(ApiToken, db.get(Job, job["id"]).created_by)
        assert creator.role == "editor" and job["created_by"] == creator.id
    refused = bob.post(f"/api/jobs/{job['id']}/cancel")
    assert refused.status_code == 403 and "another token" in refused.json()["error"]["message"]
    assert alice.post(f"/api/jobs/{job['id']}/cancel").json()["status"] == "cancelled"
    other = bob.post(f"/api/reports/{ingested[1]}/verify").json()
    assert admin.post(f"/api/jobs/{other['id']}/cancel").json()["status"] == "cancelled"
    with session_scope(settings) as db:  # queued from the CLI: no creator
        assert queue.enqueue(db, "verify", {"report_id": ingested[2]}).created_by is None


def sign_in(client, token: str, **form) -> object:
    return client.post("/auth/signin", data={"token": token, **form}, follow_redirects=False)


def test_web_sign_in_sets_a_safe_cookie_and_writes_need_the_csrf_token(settings, ingested, client_for) -> None:
    from app.security.sessions import CSRF_HEADER, SESSION_COOKIE

    locked = settings.model_copy(update={"auth": "on"})
    browser = client_for(None, locked)
    token = make_token(locked, "editor", "alice")
    assert browser.get("/api/claims").status_code == 401
    signed_in = sign_in(browser, token, next="/claims?x=1")
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/claims?x=1"
    cookie = signed_in.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert token not in cookie  # the cookie names the token, it does not carry it
    assert browser.get("/api/claims").status_code == 200

    no_csrf = browser.post(f"/api/reports/{ingested[0]}/verify")
    assert no_csrf.status_code == 403 and no_csrf.json()["error"]["code"] == "csrf_failed"
    wrong = browser.post(f"/api/reports/{ingested[0]}/verify", headers={CSRF_HEADER: "forged"})
    assert wrong.status_code == 403
    csrf = csrf_of(browser)
    assert browser.post(f"/api/reports/{ingested[0]}/verify", headers={CSRF_HEADER: csrf}).status_code == 202
    cross = browser.post(f"/api/reports/{ingested[0]}/verify",
                         headers={CSRF_HEADER: csrf, "Origin": "http://evil.example"})
    assert cross.status_code == 403
    # Bearer requests need no CSRF token: a cross-site page cannot set the header.
    assert client_for("editor", locked).post(f"/api/reports/{ingested[0]}/verify").status_code == 202

    assert browser.post("/auth/signout", data={"csrf_token": "wrong"}, follow_redirects=False).status_code == 403
    out = browser.post("/auth/signout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303 and 'Max-Age=0' in out.headers["set-cookie"]
    assert browser.get("/api/claims").status_code == 401


def csrf_of(client) -> str:
    """The CSRF token a page would embed, computed by the helper the web pages use."""
    from starlette.requests import Request

    from app.security.sessions import csrf_token

    app = client.app
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    scope = {"type": "http", "app": app, "headers": [(b"cookie", cookie.encode())], "method": "GET", "path": "/"}
    request = Request(scope)
    return csrf_token(request)


def test_sign_in_refuses_bad_tokens_other_sites_and_foreign_redirects(settings, client_for) -> None:
    browser = client_for(None)
    assert sign_in(browser, "ct_wrong").status_code == 401
    token = make_token(settings, "viewer")
    assert sign_in(browser, token, next="//evil.example/x").headers["location"] == "/"
    assert sign_in(browser, token, next="https://evil.example").headers["location"] == "/"
    cross = browser.post("/auth/signin", data={"token": token}, headers={"Origin": "http://evil.example"},
                         follow_redirects=False)
    assert cross.status_code == 403


def test_revoking_a_token_ends_its_web_sessions(settings, client_for) -> None:
    locked = settings.model_copy(update={"auth": "on"})
    browser, admin = client_for(None, locked), client_for("admin", locked)
    token = make_token(locked, "viewer", "to revoke")
    sign_in(browser, token)
    assert browser.get("/api/reports").status_code == 200
    token_id = next(t["id"] for t in admin.get("/api/tokens").json() if t["name"] == "to revoke")
    admin.post(f"/api/tokens/{token_id}/revoke")
    assert browser.get("/api/reports").status_code == 401


def test_forged_or_tampered_cookies_are_ignored(settings, client_for) -> None:
    from app.security.sessions import SESSION_COOKIE

    locked = settings.model_copy(update={"auth": "on"})
    browser = client_for(None, locked)
    sign_in(browser, make_token(locked, "admin"))
    value = browser.cookies[SESSION_COOKIE]
    payload, signature = value.split(".")
    for forged in (payload + ".AAAA", "x." + signature, "garbage", "a.b.c"):
        browser.cookies.clear()
        browser.cookies.set(SESSION_COOKIE, forged)
        assert browser.get("/api/reports").status_code == 401


def test_cors_is_off_unless_allow_listed(settings, client_for) -> None:
    plain = client_for("editor")
    response = plain.get("/api/reports", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in response.headers
    preflight = plain.options("/api/reports", headers={"Origin": "http://evil.example",
                                                      "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 405 and "access-control-allow-origin" not in preflight.headers
    allowed = client_for("editor", settings.model_copy(update={"cors_origins": ["https://review.example"]}))
    ok = allowed.options("/api/reports", headers={"Origin": "https://review.example",
                                                 "Access-Control-Request-Method": "POST",
                                                 "Access-Control-Request-Headers": "authorization"})
    assert ok.headers["access-control-allow-origin"] == "https://review.example"
    other = allowed.get("/api/reports", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_host_header_must_be_allow_listed(client) -> None:
    response = client.get("/api/reports", headers={"Host": "evil.example"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "host_not_allowed"
    assert client.get("/api/reports", headers={"Host": "localhost:8000"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "[::1]:8000"}).status_code == 200


def test_cross_site_simple_posts_are_refused(anon_client) -> None:
    """What a hostile page can send without a preflight: text/plain or form bodies, no headers."""
    text_plain = anon_client.post("/api/reports", content=EXAMPLE_REPORTS[0].read_bytes(),
                                  headers={"Content-Type": "text/plain", "Origin": "http://evil.example"})
    assert text_plain.status_code == 401
    bodyless = anon_client.post("/api/jobs/1/cancel", headers={"Origin": "http://evil.example"})
    assert bodyless.status_code == 401
