"""Run one claimed attempt of a job: the handler, then its end recorded (or its failure).

Used by the job process (``python -m app.jobs.entrypoint``) and by ``worker.drain`` in
process. The API sees a one-line error; the traceback goes to the job's log.
"""

from __future__ import annotations

import logging
import traceback

from app.db import session_scope
from app.jobs import queue
from app.jobs.context import JobCancelled, JobContext
from app.jobs.handlers import HANDLERS
from app.jobs.joblog import append_log, one_line_error
from app.models import Job
from app.settings import Settings

log = logging.getLogger(__name__)


def load_context(settings: Settings, job_id: int, attempt: int) -> JobContext | None:
    """The context of attempt ``attempt`` of a running job; None when the job is not (any more)
    that running attempt."""
    with session_scope(settings) as session:
        job = session.get(Job, job_id)
        if job is None or job.status != "running" or job.attempts != attempt:
            return None
        return JobContext(job_id=job.id, kind=job.kind, payload=dict(job.payload), settings=settings,
                          attempt=attempt)


def run_job(settings: Settings, job_id: int, attempt: int) -> str:
    """Run the attempt and record how it ended; returns the status ('' when not ours to run)."""
    context = load_context(settings, job_id, attempt)
    if context is None:
        append_log(settings, job_id, f"attempt {attempt}: not running this attempt any more; nothing done")
        return ""
    handler = HANDLERS.get(context.kind)
    append_log(settings, job_id, f"attempt {attempt}: {context.kind} job started")
    try:
        if handler is None:
            raise LookupError(f"no handler for job kind {context.kind!r} in this version")
        result = handler(context)
    except JobCancelled as exc:
        append_log(settings, job_id, f"attempt {attempt}: stopped: {exc}")
        return "cancelled"
    except Exception as exc:  # noqa: BLE001 - a failing job is recorded, never kills its runner
        append_log(settings, job_id, f"attempt {attempt}: failed\n{traceback.format_exc()}")
        with session_scope(settings) as session:
            queue.finish(session, job_id, attempt, "failed", error=one_line_error(exc, settings))
        return "failed"
    with session_scope(settings) as session:
        ended = queue.finish(session, job_id, attempt, "succeeded", progress=1.0, result=result or {}, error=None)
    append_log(settings, job_id, f"attempt {attempt}: succeeded" if ended else
               f"attempt {attempt}: finished, but the job was cancelled meanwhile; result dropped")
    return "succeeded" if ended else "cancelled"
