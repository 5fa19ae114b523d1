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


def test_anonymous_hot_reads_take_no_worker_thread_but_their_read(anon_client, ingested: list[int],
                                                                  monkeypatch) -> None:
    """A plain ``def`` dependency or route runs in one of AnyIO's worker threads: a hop that
    cost every request about a third of a millisecond for reading the settings. The hot read
    routes take one hop only, their query's (`run_in_session`)."""
    import fastapi.dependencies.utils
    import fastapi.routing

    hops: list[str] = []
    real = fastapi.dependencies.utils.run_in_threadpool

    async def counted(func, *args, **kwargs):
        hops.append(getattr(func, "__qualname__", repr(func)))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(fastapi.dependencies.utils, "run_in_threadpool", counted)
    monkeypatch.setattr(fastapi.routing, "run_in_threadpool", counted)
    report = ingested[0]
    claim = anon_client.get(f"/api/claims?report={report}&limit=1").json()["items"][0]["id"]
    for path in ("/api/claims?limit=50&sort=-text", "/api/claims?limit=50&q=XTREME", f"/api/claims?report={report}",
                 f"/api/claims/{claim}", f"/api/reports/{report}/audit"):
        assert anon_client.get(path).status_code == 200, path
    assert hops == []
    assert anon_client.get("/api/jobs").status_code == 200  # a plain `def` route: the spy sees its hops
    assert hops
