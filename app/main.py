"""The FastAPI application factory."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from app import __version__
from app.api import api_router
from app.api.auth import router as auth_router
from app.api.health import router as health_router
from app.docs_pages import router as docs_router
from app.error_handlers import install_error_handlers
from app.ingestion import Ingestor
from app.middleware.body import BodyLimitMiddleware
from app.middleware.context import REQUEST_ID_HEADER, RequestContextMiddleware
from app.middleware.hosts import AllowedHostsMiddleware
from app.metrics import RequestLatencyMiddleware, build_registry
from app.metrics import router as metrics_router
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


def native_telemetry() -> dict[str, bool]:
    """FastAPI's OpenTelemetry hooks look up the global providers on every request (about a
    tenth of a claims page's cost); Claimtrace exports Prometheus metrics (/metrics) instead.
    ``FASTAPI_OTEL_AUTO_CONFIGURE=true`` keeps them for an operator who wires OpenTelemetry."""
    if os.environ.get("FASTAPI_OTEL_AUTO_CONFIGURE", "").lower() == "true":
        return {}
    return {"tracing": False, "metrics": False, "logs": False}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Stop the ingestion processes, then whatever the caller registered in
    ``app.state.shutdown_hooks`` (``claimtrace serve``: its job workers), when the server stops,
    waiting for them off the event loop. Here, not after ``uvicorn.run`` returns: uvicorn ends a
    SIGTERM'd or Ctrl-C'd process by raising the signal again once it has shut down, so code
    after it never runs."""
    try:
        yield
    finally:
        try:
            await run_in_threadpool(app.state.ingestor.close)
        finally:
            for hook in app.state.shutdown_hooks:
                await run_in_threadpool(hook)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for ``settings`` (default: from the environment). Jobs never run in the API
    process: ``claimtrace worker`` processes run them (``serve``/``up`` start them)."""
    settings = settings or get_settings()

    app = FastAPI(title="Claimtrace", version=__version__, docs_url=None, redoc_url=None,
                  telemetry=native_telemetry(), lifespan=lifespan,
                  middleware=middleware_stack(settings),
                  description="Checks what research reports claim against the arXiv sources they cite. "
                              "Writes need an API token (`Authorization: Bearer`); see docs/api.md.")
    app.state.settings = settings
    app.state.ingestor = Ingestor(settings.ingest_processes)
    app.state.shutdown_hooks = []  # callables run (in a thread) when the server stops
    app.state.metrics_registry, latency = build_registry(settings)
    app.add_middleware(RequestLatencyMiddleware, histogram=latency)
    install_error_handlers(app)
    install_openapi(app, settings)
    app.include_router(health_router)
    app.include_router(metrics_router)
    app.include_router(auth_router)
    app.include_router(api_router)
    app.include_router(docs_router)
    install_web(app)
    return app
