"""GET /metrics: Prometheus text format (prometheus-client).

Job figures are read from the database at scrape time (workers are other processes): jobs by
kind and status, the oldest queued job's wait, and histograms of queue wait and run time over
the finished jobs (bucketed by the database: one row per kind). Request latency by route
template is measured in this process.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.utils import floatToGoString
from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from app.db import session_scope
from app.models import Job
from app.models.base import utcnow
from app.settings import Settings

JOB_BUCKETS = (0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600)
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
router = APIRouter(tags=["health"])


def _seconds(later, earlier) -> float | None:
    if later is None or earlier is None:
        return None
    return max(0.0, (later - earlier).total_seconds())


def _elapsed(dialect: str, later: ColumnElement, earlier: ColumnElement) -> ColumnElement:
    """Seconds from ``earlier`` to ``later`` in SQL (never negative)."""
    if dialect == "postgresql":
        seconds = func.extract("epoch", later - earlier)
    else:  # SQLite stores ISO timestamps
        seconds = (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return case((seconds < 0, 0.0), else_=seconds)


def _histogram(session: Session, name: str, doc: str, later: ColumnElement, earlier: ColumnElement
               ) -> HistogramMetricFamily:
    """A histogram per job kind of ``later - earlier``, bucketed and summed by the database
    (one row per kind, however many jobs there are)."""
    seconds = _elapsed(session.get_bind().dialect.name, later, earlier)
    columns = [func.sum(case((seconds <= bound, 1), else_=0)) for bound in JOB_BUCKETS]
    rows = session.execute(select(Job.kind, func.count(), func.sum(seconds), *columns)
                           .where(later.is_not(None), earlier.is_not(None)).group_by(Job.kind).order_by(Job.kind))
    family = HistogramMetricFamily(name, doc, labels=["kind"])
    for kind, count, total, *cumulative in rows:
        buckets = [(floatToGoString(b), int(n or 0)) for b, n in zip(JOB_BUCKETS, cumulative)] + [("+Inf", int(count))]
        family.add_metric([kind], buckets, float(total or 0.0))
    return family


class JobCollector:
    """Job metrics from the database, computed at scrape time."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def collect(self) -> Iterable:
        with session_scope(self.settings) as session:
            counts = session.execute(select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status)).all()
            oldest = session.execute(select(Job.kind, func.min(Job.created_at)).where(Job.status == "queued")
                                     .group_by(Job.kind)).all()
            waits = _histogram(session, "claimtrace_job_queue_wait_seconds", "Queue wait of started jobs (last start)",
                               Job.started_at, Job.created_at)
            runs = _histogram(session, "claimtrace_job_duration_seconds", "Run time of finished jobs (last attempt)",
                              Job.finished_at, Job.started_at)
        jobs = GaugeMetricFamily("claimtrace_jobs", "Jobs by kind and status", labels=["kind", "status"])
        for kind, status, count in counts:
            jobs.add_metric([kind, status], count)
        yield jobs
        now = utcnow()
        waiting = GaugeMetricFamily("claimtrace_queue_oldest_wait_seconds",
                                    "How long the oldest queued job of a kind has waited", labels=["kind"])
        for kind, created in oldest:
            waiting.add_metric([kind], _seconds(now, created.replace(tzinfo=now.tzinfo) if created.tzinfo is None
                                                else created) or 0.0)
        yield waiting
        yield waits
        yield runs


def build_registry(settings: Settings) -> tuple[CollectorRegistry, Histogram]:
    registry = CollectorRegistry()
    registry.register(JobCollector(settings))
    latency = Histogram("claimtrace_http_request_duration_seconds", "HTTP request latency by route",
                        ["method", "route", "status"], registry=registry, buckets=REQUEST_BUCKETS)
    return registry, latency


class RequestLatencyMiddleware:
    """Observes each request's latency under its route template (never the raw path)."""

    def __init__(self, app: ASGIApp, histogram: Histogram) -> None:
        self.app, self.histogram = app, histogram

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), [500]

        async def record_status(message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            self.histogram.labels(scope["method"], _route_of(scope), str(status[0])).observe(
                time.perf_counter() - started)


def _route_of(scope: Scope) -> str:
    """The route template of a handled request, e.g. /api/jobs/{job_id} (bounded label values):
    the path with each path parameter's segment replaced by its name; "unmatched" for no route."""
    if scope.get("route") is None:
        return "unmatched"
    values = {str(value): name for name, value in (scope.get("path_params") or {}).items()}
    return "/".join(f"{{{values[part]}}}" if part in values else part for part in scope["path"].split("/"))


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
def metrics(request: Request) -> Response:
    """Prometheus metrics: jobs by kind and status, queue wait, job durations, request latency."""
    return Response(generate_latest(request.app.state.metrics_registry), media_type=CONTENT_TYPE_LATEST)
