"""FastAPI dependencies of access control.

Every route under ``/api`` runs ``authorize`` (router-wide): reads need a token only when
``AUTH=on``; every other method needs an editor, and a CSRF token when the caller is signed in
by cookie rather than by ``Authorization: Bearer``. Routes needing more ask for ``AdminDep``.
The token that authenticated a request is remembered on its DB session, so jobs record who
queued them (``jobs.created_by``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from app.db import session_scope
from app.deps import REQUEST_SESSION, SettingsDep
from app.errors import ForbiddenError, UnauthorizedError
from app.models import ApiToken
from app.security import tokens
from app.security.actor import set_actor
from app.security.roles import Role
from app.security.sessions import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, WebSession, csrf_matches, read_session
from app.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the token (by id, name and role) and how it was presented."""

    token_id: int
    name: str
    role: Role
    via: Literal["bearer", "cookie"]
    web_session: WebSession | None = None

    def can(self, role: Role) -> bool:
        return self.role >= role


def reads_need_token(settings: Settings) -> bool:
    """``AUTH=on``; ``auto`` is resolved to on/off by ``claimtrace serve`` from the bind address."""
    return settings.auth == "on"


def _principal(row: ApiToken, via: Literal["bearer", "cookie"], web: WebSession | None = None) -> Principal:
    return Principal(token_id=row.id, name=row.name, role=Role.parse(row.role), via=via, web_session=web)


def _lookup(settings: Settings, bearer: str | None, cookie: str | None) -> tuple[Principal | None, WebSession | None]:
    """The caller of a bearer token (wins) or a session cookie, in its own short transaction
    (which records when the token was last used)."""
    with session_scope(settings) as session:
        if bearer is not None:
            row = tokens.authenticate(session, bearer)
            if row is None:
                raise UnauthorizedError("invalid or revoked API token; ask an admin for a new one "
                                        "('claimtrace tokens create')", code="invalid_token")
            return _principal(row, "bearer"), None
        web = read_session(settings, cookie) if cookie else None
        row = session.get(ApiToken, web.token_id) if web else None
        if web and row is not None and row.revoked_at is None:
            tokens.touch(row)
            return _principal(row, "cookie", web), web
        return None, None


async def current_principal(request: Request, settings: SettingsDep) -> Principal | None:
    """The caller from ``Authorization: Bearer`` (wins) or the session cookie; None: anonymous.

    A malformed or unknown bearer token is a 401 even where anonymous access would do. An
    anonymous request touches no database; otherwise the token is checked in one worker thread.
    The principal is kept on ``request.state`` and names the actor of the request's DB session.
    """
    bearer: str | None = None
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise UnauthorizedError("malformed Authorization header; send 'Authorization: Bearer <token>'")
        bearer = token.strip()
    cookie = request.cookies.get(SESSION_COOKIE) if bearer is None else None
    principal = None
    if bearer is not None or cookie:
        principal, web = await run_in_threadpool(_lookup, settings, bearer, cookie)
        if web is not None:
            request.state.web_session = web
    request.state.principal = principal
    if (session := getattr(request.state, REQUEST_SESSION, None)) is not None:
        set_actor(session, principal.token_id if principal else None)  # opened before the check
    return principal


PrincipalDep = Annotated[Principal | None, Depends(current_principal)]


def require(principal: Principal | None, role: Role) -> Principal:
    """``principal`` when it has at least ``role``; else 401 (no token) or 403 (too weak)."""
    if principal is None:
        raise UnauthorizedError(f"this needs an API token with the {role} role: send 'Authorization: Bearer "
                                f"<token>' (or sign in at /auth/signin)")
    if not principal.can(role):
        raise ForbiddenError(f"token {principal.name!r} is a {principal.role}; this needs {role} or above")
    return principal


def same_origin(origin: str, request: Request) -> bool:
    parts = urlsplit(origin)
    return parts.scheme == request.url.scheme and parts.netloc.lower() == request.headers.get("host", "").lower()


async def check_csrf(request: Request, principal: Principal, settings: Settings) -> None:
    """Cookie-authenticated writes must come from our pages: same origin and the CSRF token."""
    if principal.via != "cookie" or principal.web_session is None:
        return
    origin = request.headers.get("origin")
    if origin is not None and not same_origin(origin, request):
        raise ForbiddenError(f"cross-origin request from {origin[:100]!r} refused", code="csrf_failed")
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not csrf_matches(settings, principal.web_session, given):
        raise ForbiddenError(f"missing or wrong CSRF token: send the page's {CSRF_FIELD} field or the "
                             f"{CSRF_HEADER} header; reload the page and try again", code="csrf_failed")


async def authorize(request: Request, principal: PrincipalDep, settings: SettingsDep) -> Principal | None:
    """Router-wide policy: reads open unless ``AUTH=on``; writes need an editor (and CSRF by cookie)."""
    if request.method in SAFE_METHODS:
        if principal is None and not reads_need_token(settings):
            return None
        return require(principal, Role.viewer)
    principal = require(principal, Role.editor)
    await check_csrf(request, principal, settings)
    return principal


AuthorizedDep = Annotated[Principal | None, Depends(authorize)]


async def require_editor(principal: AuthorizedDep) -> Principal:
    return require(principal, Role.editor)


async def require_admin(principal: AuthorizedDep) -> Principal:
    return require(principal, Role.admin)


EditorDep = Annotated[Principal, Depends(require_editor)]
AdminDep = Annotated[Principal, Depends(require_admin)]
