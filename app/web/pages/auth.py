"""/signin: the sign-in form (it posts the token to /auth/signin, which sets the session cookie)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.api.auth import safe_next
from app.web.templating import render

router = APIRouter()
WHY = {"read": "This installation needs a sign-in to read.",
       "edit": "Sign in with an editor token to do that."}


@router.get("/signin", response_class=HTMLResponse)
def sign_in_page(request: Request, next: Annotated[str, Query(max_length=2000)] = "/",
                 why: Annotated[str, Query(max_length=10)] = "") -> HTMLResponse:
    return render(request, "signin.html", {"next": safe_next(next), "why": WHY.get(why), "error": None})
