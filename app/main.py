"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from app import __version__
from app.api import api_router
from app.api.auth import router as auth_router
from app.api.health import router as health_router
from app.docs_pages import router as docs_router
from app.errors import install_error_handlers
from app.middleware.body import BodyLimitMiddleware
from app.middleware.context import REQUEST_ID_HEADER, RequestContextMiddleware
from app.middleware.hosts import AllowedHostsMiddleware
from app.openapi import install_openapi
from app.security.sessions import CSRF_HEADER
from app.settings import Settings, get_settings
from app.web import install_web


def middleware_stack(settings: Settings) -> list[Middleware]:
    """Outermost first: request context, Host allow-list, CORS (only when allow-listed), body limits."""
    stack = [Middleware(RequestContextMiddleware),
             Middleware(AllowedHostsMiddleware, allowed_hosts=settings.allowed_hosts, www_redirect=False)]
    if settings.cors_origins:
        stack.append(Middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                                allow_headers=["Authorization", "Content-Type", CSRF_HEADER, REQUEST_ID_HEADER],
                                expose_headers=[REQUEST_ID_HEADER, "Location", "Retry-After"], max_age=600))
    stack.append(Middleware(BodyLimitMiddleware, settings=settings))
    return stack


def create_app(settings: Settings | None = None, *, run_worker: bool = False) -> FastAPI:
    """Build the app for ``settings`` (default: from the environment).

    With ``run_worker`` a local job worker runs in a thread for the app's lifetime.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if not run_worker:
            yield
            return
        from app.jobs.worker import start_worker_thread

        thread, stop = start_worker_thread(settings)
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=30)

    app = FastAPI(title="Claimtrace", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  middleware=middleware_stack(settings),
                  description="Checks what research reports claim against the arXiv sources they cite. "
                              "Writes need an API token (`Authorization: Bearer`); see docs/api.md.")
    app.state.settings = settings
    install_error_handlers(app)
    install_openapi(app, settings)
    app.include_router(health_router)
    app.include_router(auth_router)
    app.include_router(api_router)
    app.include_router(docs_router)
    install_web(app)
    return app
