"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import __version__
from app.api import api_router
from app.api.health import router as health_router
from app.errors import install_error_handlers
from app.settings import Settings, get_settings


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

    app = FastAPI(title="Claimtrace", version=__version__, lifespan=lifespan,
                  description="Checks what research reports claim against the arXiv sources they cite.")
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(health_router)
    app.include_router(api_router)
    return app
