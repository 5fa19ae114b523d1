"""Who is looking at a page: reader and editor dependencies, and the sign-in redirect.

Pages use the same principals as the API (``Authorization: Bearer`` or the session cookie of
``/auth/signin``). A page that needs a sign-in redirects to ``/signin?next=...`` instead of
answering 401; a form post from a signed-in editor must carry the page's CSRF token.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse

from app.api.auth import safe_next
from app.deps import SettingsDep
from app.errors import ForbiddenError
from app.security.deps import Principal, PrincipalDep, check_csrf, reads_need_token
from app.security.roles import Role


class SignInRequired(Exception):
    """Raised by page dependencies; answered with a redirect to the sign-in page."""

    def __init__(self, next_path: str, reason: str) -> None:
        super().__init__(reason)
        self.next_path, self.reason = next_path, reason


def sign_in_redirect(_: Request, exc: SignInRequired) -> RedirectResponse:
    return RedirectResponse(f"/signin?next={quote(safe_next(exc.next_path), safe='/')}&why={exc.reason}",
                            status_code=303)


def _here(request: Request) -> str:
    """The page to come back to: this one for a GET, the page a form was on for a POST."""
    if request.method == "GET":
        query = request.url.query
        return request.url.path + (f"?{query}" if query else "")
    return request.url.path.rsplit("/", 1)[0] or "/"


async def reader(request: Request, principal: PrincipalDep, settings: SettingsDep) -> Principal | None:
    """Anyone may read unless ``AUTH=on``; then a viewer (or more) must be signed in."""
    if principal is None and reads_need_token(settings):
        raise SignInRequired(_here(request), "read")
    return principal


async def editor(request: Request, principal: PrincipalDep, settings: SettingsDep) -> Principal:
    """A signed-in editor posting from our page (same origin and CSRF token when by cookie)."""
    if principal is None:
        raise SignInRequired(_here(request), "edit")
    if not principal.can(Role.editor):
        raise ForbiddenError(f"you are signed in as {principal.name!r}, a {principal.role}; this needs an "
                             f"editor token")
    await check_csrf(request, principal, settings)
    return principal


ReaderDep = Annotated[Principal | None, Depends(reader)]
EditorPageDep = Annotated[Principal, Depends(editor)]
