"""Running jobs: ``run_worker`` supervises job processes (what ``claimtrace worker`` runs);
``drain`` runs queued jobs one after another in this process (tests, scripts)."""

from __future__ import annotations

import logging
import threading

from app.db import session_scope
from app.jobs.handlers import HANDLERS
from app.jobs.queue import claim_next, recover_stale
from app.jobs.runner import run_job
from app.settings import Settings

log = logging.getLogger(__name__)


def run_once(settings: Settings) -> bool:
    """Run the oldest queued job in this process; False when the queue is empty."""
    with session_scope(settings) as session:
        recover_stale(session, settings.job_heartbeat_timeout_s, settings.job_max_attempts)
        job = claim_next(session, set(HANDLERS), worker="in-process")
        if job is None:
            return False
        job_id, attempt = job.id, job.attempts
    run_job(settings, job_id, attempt)
    return True


def drain(settings: Settings, max_jobs: int | None = None) -> int:
    """Run queued jobs in this process until none is left (or ``max_jobs`` ran)."""
    count = 0
    while (max_jobs is None or count < max_jobs) and run_once(settings):
        count += 1
    return count


def run_worker(settings: Settings, stop: threading.Event, *, drain_queue: bool = False) -> int:
    """Supervise job processes until ``stop`` is set (or the queue is drained)."""
    from app.jobs.supervisor import Supervisor

    return Supervisor(settings).run(stop, drain=drain_queue)
