"""The hot read routes run at most ``DB_READ_THREADS`` queries at once, in the request's context."""

from __future__ import annotations

import asyncio
import threading
import time

from app.db import run_in_session
from app.settings import Settings


def _max_concurrent_reads(settings: Settings, requests: int) -> int:
    active, peak, lock = 0, 0, threading.Lock()

    def work(_session) -> None:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.05)
        with lock:
            active -= 1

    async def many() -> None:
        await asyncio.gather(*(run_in_session(settings, work) for _ in range(requests)))

    asyncio.run(many())
    return peak


def test_read_queries_run_at_most_db_read_threads_at_once(settings: Settings) -> None:
    assert _max_concurrent_reads(settings.model_copy(update={"db_read_threads": 1}), 8) == 1
    assert _max_concurrent_reads(settings.model_copy(update={"db_read_threads": 3}), 8) == 3
    default = 1 if settings.sqlalchemy_url.startswith("sqlite") else 2
    assert settings.db_read_threads is None and _max_concurrent_reads(settings, 8) == default


def test_a_read_runs_with_the_request_context(settings: Settings) -> None:
    """Log lines written during a read carry the request's id."""
    from app.logs import REQUEST_ID

    async def read() -> str | None:
        REQUEST_ID.set("req-0123456789")
        return await run_in_session(settings, lambda _session: REQUEST_ID.get())

    assert asyncio.run(read()) == "req-0123456789"
