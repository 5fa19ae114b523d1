"""/metrics in Prometheus text format, and open event streams that do not starve the API."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.db import session_scope
from app.jobs import queue
from tests.app.workers import served
from tests.conftest import make_token


def samples(text: str) -> dict[tuple, float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_count_jobs_by_kind_and_status_and_time_requests(settings, client) -> None:
    with session_scope(settings) as db:
        queue.enqueue(db, "verify", {"report_id": 1})
        queue.enqueue(db, "verify", {"report_id": 2})
    assert client.get("/api/jobs/999").status_code == 404
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    values = samples(response.text)
    assert values[("claimtrace_jobs", (("kind", "verify"), ("status", "queued")))] == 2
    assert values[("claimtrace_queue_oldest_wait_seconds", (("kind", "verify"),))] >= 0
    assert values[("claimtrace_http_request_duration_seconds_count",
                   (("method", "GET"), ("route", "/api/jobs/{job_id}"), ("status", "404")))] == 1



def test_job_histograms_bucket_queue_wait_and_run_time_in_the_database(settings, client) -> None:
    """Waits of 1 s and 40 s, runs of 3 s and 600 s (and one job still running): cumulative
    buckets, counts and sums as Prometheus expects them."""
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with session_scope(settings) as db:
        for wait, run in ((1.0, 3.0), (40.0, 600.0), (2.0, None)):
            job = queue.enqueue(db, "replicate", {})
            job.created_at, job.started_at = start, start + timedelta(seconds=wait)
            job.finished_at = None if run is None else job.started_at + timedelta(seconds=run)
            job.status = "running" if run is None else "succeeded"
    values = samples(client.get("/metrics").text)

    def bucket(name: str, le: str) -> float:
        return values[(f"claimtrace_job_{name}_seconds_bucket", (("kind", "replicate"), ("le", le)))]

    assert [bucket("queue_wait", le) for le in ("0.5", "1.0", "2.0", "30.0", "60.0", "+Inf")] == [0, 1, 2, 2, 3, 3]
    assert values[("claimtrace_job_queue_wait_seconds_sum", (("kind", "replicate"),))] == pytest.approx(43.0, abs=0.01)
    assert [bucket("duration", le) for le in ("2.0", "5.0", "300.0", "900.0", "+Inf")] == [0, 1, 1, 2, 2]
    assert values[("claimtrace_job_duration_seconds_count", (("kind", "replicate"),))] == 2
    assert values[("claimtrace_job_duration_seconds_sum", (("kind", "replicate"),))] == pytest.approx(603.0, abs=0.01)

@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_hundred_open_event_streams_leave_healthz_answering(settings, tmp_path) -> None:
    token = make_token(settings, "editor")
    with session_scope(settings) as db:
        job_id = queue.enqueue(db, "verify", {"report_id": 1}).id  # stays queued: no worker runs

    async def scenario(base: str) -> list[float]:
        headers = {"Authorization": f"Bearer {token}"}
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30, limits=limits) as streams, \
                httpx.AsyncClient(base_url=base, timeout=5) as probe:
            opened: list = []

            async def hold() -> None:
                async with streams.stream("GET", f"/api/jobs/{job_id}/events") as response:
                    assert response.status_code == 200
                    opened.append(response)
                    async for _ in response.aiter_text():
                        pass

            tasks = [asyncio.create_task(hold()) for _ in range(100)]
            waited = time.monotonic()
            while len(opened) < 100:
                assert time.monotonic() - waited < 60, f"only {len(opened)} streams opened"
                await asyncio.sleep(0.1)
            await asyncio.sleep(2.0)  # the streams poll a few times
            timings = []
            for _ in range(10):
                started = time.perf_counter()
                assert (await probe.get("/healthz")).status_code == 200
                timings.append(time.perf_counter() - started)
                await asyncio.sleep(0.2)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            return timings

    with served(settings, tmp_path / "serve.log") as base:
        timings = asyncio.run(scenario(base))
    print(f"\n/healthz with 100 open event streams: max {max(timings) * 1000:.0f} ms")
    assert max(timings) < 1.0
