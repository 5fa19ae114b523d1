"""Web sessions: a signed, HttpOnly, SameSite cookie naming the API token used to sign in,
and the CSRF token bound to that session (a signed double-submit token).

The cookie holds ``base64(json{t: token id, n: nonce, exp: unix time}).base64(HMAC-SHA256)``;
nothing is stored server-side, so revoking the token ends every session made with it.
Pages embed ``csrf_token(request)`` in each form (field ``csrf_token``) or send it as the
``X-CSRF-Token`` header; every state-changing request authenticated by the cookie needs it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from fastapi import Request, Response

from app.security.secret import signing_key
from app.settings import Settings

SESSION_COOKIE = "claimtrace_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
MAX_COOKIE_LENGTH = 512


@dataclass(frozen=True, slots=True)
class WebSession:
    token_id: int
    nonce: str
    expires: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(settings: Settings, purpose: bytes, data: bytes) -> bytes:
    return hmac.new(signing_key(settings), purpose + b"\x00" + data, hashlib.sha256).digest()


def issue_session(settings: Settings, token_id: int) -> tuple[str, WebSession]:
    """A new cookie value for a sign-in with token ``token_id``."""
    web = WebSession(token_id=token_id, nonce=secrets.token_urlsafe(16),
                     expires=int(time.time()) + settings.session_ttl_s)
    payload = json.dumps({"t": web.token_id, "n": web.nonce, "exp": web.expires}, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_sign(settings, b'session', payload))}", web


def read_session(settings: Settings, value: str) -> WebSession | None:
    """The session a cookie value stands for; None when forged, malformed or expired."""
    if not value or len(value) > MAX_COOKIE_LENGTH or value.count(".") != 1:
        return None
    payload_text, signature_text = value.split(".")
    try:
        payload, signature = _unb64(payload_text), _unb64(signature_text)
    except (ValueError, TypeError):
        return None
    if not hmac.compare_digest(signature, _sign(settings, b"session", payload)):
        return None
    try:
        data = json.loads(payload)
        web = WebSession(token_id=int(data["t"]), nonce=str(data["n"]), expires=int(data["exp"]))
    except (ValueError, TypeError, KeyError):
        return None
    return web if web.expires > time.time() else None


def csrf_for(settings: Settings, web: WebSession) -> str:
    return _b64(_sign(settings, b"csrf", web.nonce.encode()))


def csrf_matches(settings: Settings, web: WebSession, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), csrf_for(settings, web).encode())


def csrf_token(request: Request) -> str:
    """The CSRF token a page embeds in its forms for the signed-in user ('' when signed out)."""
    web = getattr(request.state, "web_session", None)
    if web is None:
        cookie = request.cookies.get(SESSION_COOKIE)
        web = read_session(request.app.state.settings, cookie) if cookie else None
    return csrf_for(request.app.state.settings, web) if web else ""


def set_session_cookie(response: Response, request: Request, value: str, settings: Settings) -> None:
    response.set_cookie(SESSION_COOKIE, value, max_age=settings.session_ttl_s, path="/", httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=request.url.scheme == "https")
