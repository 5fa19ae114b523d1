"""Web sign-in: a token posted from a form becomes a session cookie; sign-out clears it.

Pages (app/web) post here; API clients use ``Authorization: Bearer`` instead.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from app.deps import SessionDep, SettingsDep
from app.errors import ForbiddenError, UnauthorizedError
from app.security import tokens
from app.security.deps import PrincipalDep, check_csrf, same_origin
from app.security.sessions import clear_session_cookie, issue_session, set_session_cookie

router = APIRouter(prefix="/auth", tags=["auth"])

_REDIRECT = {303: {"description": "signed in (or out): go to `next`", "headers": {
    "Location": {"schema": {"type": "string"}}, "Set-Cookie": {"schema": {"type": "string"}}}}}


def safe_next(target: str) -> str:
    """Only a path on this site: never another host (``//evil``, ``https:``, backslashes)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target or any(
            ord(c) < 0x20 for c in target):
        return "/"
    return target


@router.post("/signin", status_code=303, response_class=RedirectResponse, responses=_REDIRECT)
async def sign_in(request: Request, session: SessionDep, settings: SettingsDep,
                  token: Annotated[str, Form(min_length=1, max_length=tokens.MAX_TOKEN_LENGTH,
                                             description="an API token")],
                  next: Annotated[str, Form(max_length=2000, description="where to go afterwards")] = "/",
                  ) -> RedirectResponse:
    """Check the token, set the HttpOnly session cookie, redirect to ``next`` (a local path)."""
    origin = request.headers.get("origin")
    if origin is not None and not same_origin(origin, request):  # no signing victims in from other sites
        raise ForbiddenError(f"sign-in from another site ({origin[:100]!r}) refused", code="csrf_failed")

    def check() -> int | None:
        row = tokens.authenticate(session, token.strip())
        session.commit()
        return row.id if row else None

    token_id = await run_in_threadpool(check)
    if token_id is None:
        raise UnauthorizedError("invalid or revoked API token; ask an admin for one ('claimtrace tokens create')",
                                code="invalid_token")
    value, _ = issue_session(settings, token_id)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, request, value, settings)
    return response


@router.post("/signout", status_code=303, response_class=RedirectResponse, responses=_REDIRECT)
async def sign_out(request: Request, principal: PrincipalDep, settings: SettingsDep) -> RedirectResponse:
    """End the web session (needs the CSRF token when signed in); redirect to ``/``."""
    if principal is not None:
        await check_csrf(request, principal, settings)
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(response, request)
    return response
