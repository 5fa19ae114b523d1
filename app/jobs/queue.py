"""Enqueue, claim, update and cancel jobs; SQL that works on SQLite and PostgreSQL.

Claiming is atomic: on PostgreSQL the oldest queued row is locked with ``FOR UPDATE SKIP
LOCKED`` (concurrent workers skip it), on SQLite one ``UPDATE ... RETURNING`` statement runs in
the database's single write transaction. Either way two workers never start the same job.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import ConflictError, NotFoundError
from app.models import Job
from app.models.base import utcnow
from app.security.actor import actor_token_id

FINISHED = ("succeeded", "failed", "cancelled")
PENDING = ("queued", "running")


def enqueue(session: Session, kind: str, payload: dict, *, claim_id: int | None = None,
            executor: str = "local", dedupe_key: str | None = None) -> Job:
    """Add a queued job; it becomes visible to workers when the caller commits.

    With ``dedupe_key`` the job already queued or running under that key is returned instead
    (a partial unique index makes this hold under concurrent requests too).
    """
    if dedupe_key is not None and (existing := _pending_with_key(session, dedupe_key)) is not None:
        return existing
    job = Job(kind=kind, payload=payload, claim_id=claim_id, executor=executor, status="queued",
              created_by=actor_token_id(session), dedupe_key=dedupe_key)
    if dedupe_key is None:
        session.add(job)
        session.flush()
        return job
    try:
        with session.begin_nested():
            session.add(job)
            session.flush()
    except IntegrityError:  # another request queued the same work meanwhile
        existing = _pending_with_key(session, dedupe_key)
        if existing is None:
            raise
        return existing
    return job


def _pending_with_key(session: Session, dedupe_key: str) -> Job | None:
    return session.scalar(select(Job).where(Job.dedupe_key == dedupe_key, Job.status.in_(PENDING)))


def claim_next(session: Session, kinds: set[str] | list[str], *, worker: str | None = None) -> Job | None:
    """Atomically move the oldest queued job of ``kinds`` to running (one more attempt) and
    commit; None when there is none."""
    if not kinds:
        return None
    now = utcnow()
    values = dict(status="running", started_at=now, heartbeat_at=now, attempts=Job.attempts + 1,
                  worker=worker, pid=None, phase=None)
    oldest = select(Job.id).where(Job.status == "queued", Job.kind.in_(list(kinds))).order_by(Job.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        job_id = session.scalar(oldest.with_for_update(skip_locked=True))
        if job_id is None:
            session.commit()
            return None
        session.execute(update(Job).where(Job.id == job_id).values(**values))
    else:
        job_id = session.scalar(
            update(Job).where(Job.id == oldest.scalar_subquery(), Job.status == "queued")
            .values(**values).returning(Job.id))
    session.commit()
    return session.get(Job, job_id, populate_existing=True) if job_id is not None else None


def heartbeat(session: Session, job_id: int, attempt: int, **values) -> bool:
    """Record that attempt ``attempt`` of a job is alive (with ``values``); False when the job is
    no longer that running attempt (cancelled, re-queued, finished): its process must stop."""
    updated = session.execute(
        update(Job).where(Job.id == job_id, Job.status == "running", Job.attempts == attempt)
        .values(heartbeat_at=utcnow(), **values)
    ).rowcount
    return updated == 1


def finish(session: Session, job_id: int, attempt: int, status: str, **values) -> bool:
    """End a running attempt as ``status``; False when it was not that running attempt any more."""
    now = utcnow()
    updated = session.execute(
        update(Job).where(Job.id == job_id, Job.status == "running", Job.attempts == attempt)
        .values(status=status, finished_at=now, heartbeat_at=now, pid=None, **values)
    ).rowcount
    return updated == 1


def give_up_or_retry(session: Session, job: Job, reason: str, max_attempts: int) -> str:
    """A running attempt died without recording its end: queue the job again while attempts are
    left, else fail it with ``reason``. Returns the new status ('' when the job changed meanwhile)."""
    retry = job.attempts < max_attempts
    values = (dict(status="queued", error=f"attempt {job.attempts} lost: {reason}; re-queued", pid=None, worker=None)
              if retry else
              dict(status="failed", error=f"{reason} (attempt {job.attempts} of {max_attempts})", pid=None,
                   finished_at=utcnow()))
    updated = session.execute(
        update(Job).where(Job.id == job.id, Job.status == "running", Job.attempts == job.attempts).values(**values)
    ).rowcount
    return str(values["status"]) if updated == 1 else ""


def stale_jobs(session: Session, heartbeat_timeout_s: float, *, executor: str | None = None) -> list[Job]:
    """Running jobs silent for longer than ``heartbeat_timeout_s`` (their worker died)."""
    cutoff = utcnow() - timedelta(seconds=heartbeat_timeout_s)
    query = select(Job).where(Job.status == "running", Job.heartbeat_at < cutoff)
    if executor is not None:
        query = query.where(Job.executor == executor)
    return list(session.scalars(query.order_by(Job.id)))


def recover_stale(session: Session, heartbeat_timeout_s: float, max_attempts: int) -> dict[int, str]:
    """Re-queue (or fail, when out of attempts) every job whose heartbeats stopped; commits.
    Returns job id → new status."""
    outcome: dict[int, str] = {}
    for job in stale_jobs(session, heartbeat_timeout_s):
        reason = f"worker lost: no heartbeat for more than {heartbeat_timeout_s:g} s"
        if status := give_up_or_retry(session, job, reason, max_attempts):
            outcome[job.id] = status
    session.commit()
    return outcome


def fail_stale(session: Session, heartbeat_timeout_s: float) -> int:
    """Fail running jobs whose worker stopped sending heartbeats (no retry); commits."""
    return len(recover_stale(session, heartbeat_timeout_s, max_attempts=0))


def list_jobs(session: Session, *, status: str | None = None, kind: str | None = None,
              offset: int = 0, limit: int = 50) -> tuple[list[Job], int]:
    query = select(Job)
    if status:
        query = query.where(Job.status == status)
    if kind:
        query = query.where(Job.kind == kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return list(session.scalars(query.order_by(Job.id.desc()).offset(offset).limit(limit))), total


def get_job(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFoundError(f"job {job_id} does not exist")
    return job


def cancel(session: Session, job_id: int) -> Job:
    """Cancel a queued or running job; the worker running it kills its process group within
    about a second (the job's own heartbeat notices too)."""
    job = get_job(session, job_id)
    if job.status in FINISHED:
        raise ConflictError(f"job {job_id} is already {job.status}")
    job.status = "cancelled"
    job.finished_at = utcnow()
    session.flush()
    return job
