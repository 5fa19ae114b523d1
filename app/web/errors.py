"""HTML error pages for browsers on the web view's paths; the API keeps its JSON errors.

A request gets an HTML page when it is not for an API path (``/api``, ``/openapi.json``,
``/healthz``...) and its ``Accept`` header prefers ``text/html`` (what browsers send when
navigating). Everything else goes to the JSON handlers installed before. The page shows the
same message as the JSON body (never a traceback) and a way back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.errors import AppError

API_PREFIXES = ("/api/", "/openapi.json", "/healthz", "/readyz", "/metrics", "/docs-assets/")
TITLES = {400: "Bad request", 401: "Sign-in needed", 403: "Not allowed", 404: "Not found",
          405: "Not allowed here", 409: "Conflict", 413: "Too large", 422: "Cannot do that",
          500: "Something went wrong", 503: "Service unavailable"}


def wants_html(path: str, accept: str) -> bool:
    if path == "/api" or path.startswith(API_PREFIXES):
        return False
    return "text/html" in accept.lower()


def _message(response: Response) -> tuple[str, str, Any]:
    import json

    try:
        error = json.loads(bytes(response.body))["error"]
        return error.get("code", "error"), error.get("message", ""), error.get("details")
    except (ValueError, KeyError, TypeError):
        return "error", "", None


def install_html_errors(app: FastAPI) -> None:
    """Wrap the JSON error handlers: same status and message, as a page for browsers."""
    from app.web.templating import render

    for exc_class in (AppError, StarletteHTTPException, RequestValidationError):
        json_handler: Callable = app.exception_handlers[exc_class]

        async def handler(request: Request, exc: Exception, _json: Callable = json_handler) -> Response:
            response = await _json(request, exc)
            if not wants_html(request.url.path, request.headers.get("accept", "")):
                return response
            code, message, details = _message(response)
            if request.url.path == "/auth/signin" and response.status_code == 401:
                from app.api.auth import safe_next

                form = await request.form()
                page = render(request, "signin.html", {"next": safe_next(str(form.get("next") or "/")), "why": None,
                                                       "error": message}, status_code=401)
            else:
                fields = [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []
                page = render(request, "error.html", {"status": response.status_code, "code": code,
                                                      "title": TITLES.get(response.status_code, "Error"),
                                                      "message": message, "fields": fields},
                              status_code=response.status_code)
            for name in ("Allow", "Retry-After"):
                if name in response.headers:
                    page.headers[name] = response.headers[name]
            return page

        app.add_exception_handler(exc_class, handler)
