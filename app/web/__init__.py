"""The web view: server-rendered pages of claims, evidence, report audits, sources and jobs.

``install_web(app)`` adds the pages, their static files under ``/static`` (cacheable), the
sign-in redirect and HTML error pages for browsers. Pages read through app/services and
``app.web.views``; charts are SVG drawn on the server (``app.web.charts``); the only script is
``static/app.js`` (live progress by server-sent events), so the CSP forbids inline script.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.web.errors import install_html_errors
from app.web.session import SignInRequired, sign_in_redirect
from app.web.templating import HERE

STATIC_PREFIX = "/static"
STATIC_CACHE = "public, max-age=86400"  # pages link the files with ?v=<version>


class CachedStaticFiles(StaticFiles):
    """The web view's CSS, script and icon, cacheable for a day."""

    def file_response(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = STATIC_CACHE
        return response


def install_web(app: FastAPI) -> None:
    """Mount the web view on ``app`` (after the API and its error handlers)."""
    from app.web.pages import router

    app.mount(STATIC_PREFIX, CachedStaticFiles(directory=HERE / "static"), name="static")
    app.include_router(router)
    app.add_exception_handler(SignInRequired, sign_in_redirect)
    install_html_errors(app)
