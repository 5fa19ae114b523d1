"""The local worker: claims queued jobs and runs their handlers, one at a time."""

from __future__ import annotations

import logging
import threading
import traceback

from sqlalchemy import update

from app.db import session_scope
from app.jobs.context import JobCancelled, JobContext
from app.jobs.handlers import HANDLERS
from app.jobs.queue import claim_next, fail_stale
from app.models import Job
from app.models.base import utcnow
from app.settings import Settings

log = logging.getLogger(__name__)


def _finish(settings: Settings, job_id: int, **values) -> None:
    with session_scope(settings) as session:
        session.execute(update(Job).where(Job.id == job_id, Job.status == "running")
                        .values(finished_at=utcnow(), heartbeat_at=utcnow(), **values))


def run_once(settings: Settings) -> bool:
    """Run the oldest queued job; False when the queue is empty."""
    with session_scope(settings) as session:
        if stale := fail_stale(session, settings.job_heartbeat_timeout_s):
            log.warning("%d running job(s) had no heartbeat: marked failed", stale)
        job = claim_next(session, set(HANDLERS))
        if job is None:
            return False
        context = JobContext(job_id=job.id, kind=job.kind, payload=dict(job.payload), settings=settings)
    log.info("job %s (%s) started", context.job_id, context.kind)
    try:
        result = HANDLERS[context.kind](context)
    except JobCancelled:
        log.info("job %s cancelled", context.job_id)
    except Exception as exc:  # noqa: BLE001 - a failing job is recorded, never kills the worker
        log.exception("job %s failed", context.job_id)
        _finish(settings, context.job_id, status="failed",
                error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}")
    else:
        _finish(settings, context.job_id, status="succeeded", progress=1.0, result=result or {})
    return True


def drain(settings: Settings, max_jobs: int | None = None) -> int:
    """Run queued jobs until none is left (or ``max_jobs`` ran); returns how many ran."""
    count = 0
    while (max_jobs is None or count < max_jobs) and run_once(settings):
        count += 1
    return count


def run_worker(settings: Settings, stop: threading.Event) -> None:
    """Poll for jobs until ``stop`` is set."""
    log.info("worker started (poll every %.1fs)", settings.worker_poll_s)
    while not stop.is_set():
        try:
            ran = run_once(settings)
        except Exception:  # noqa: BLE001 - e.g. the database is briefly unavailable
            log.exception("worker loop error")
            ran = False
        if not ran:
            stop.wait(settings.worker_poll_s)


def start_worker_thread(settings: Settings) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(settings, stop), name="claimtrace-worker", daemon=True)
    thread.start()
    return thread, stop
