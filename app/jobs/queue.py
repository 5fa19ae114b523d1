"""Enqueue, claim, update and cancel jobs; plain SQL that works on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.errors import ConflictError, NotFoundError
from app.models import Job
from app.models.base import utcnow
from app.security.actor import actor_token_id

FINISHED = ("succeeded", "failed", "cancelled")


def enqueue(session: Session, kind: str, payload: dict, *, claim_id: int | None = None,
            executor: str = "local") -> Job:
    """Add a queued job; it becomes visible to workers when the caller commits."""
    job = Job(kind=kind, payload=payload, claim_id=claim_id, executor=executor, status="queued",
              created_by=actor_token_id(session))
    session.add(job)
    session.flush()
    return job


def claim_next(session: Session, kinds: set[str]) -> Job | None:
    """Atomically move the oldest queued job of ``kinds`` to running; None when there is none."""
    while True:
        job_id = session.scalar(
            select(Job.id).where(Job.status == "queued", Job.kind.in_(kinds)).order_by(Job.id).limit(1)
        )
        if job_id is None:
            return None
        now = utcnow()
        claimed = session.execute(
            update(Job).where(Job.id == job_id, Job.status == "queued")
            .values(status="running", started_at=now, heartbeat_at=now)
        ).rowcount
        session.commit()
        if claimed == 1:
            return session.get(Job, job_id)


def fail_stale(session: Session, heartbeat_timeout_s: float) -> int:
    """Fail running jobs whose worker stopped sending heartbeats (killed, machine lost)."""
    cutoff = utcnow() - timedelta(seconds=heartbeat_timeout_s)
    failed = session.execute(
        update(Job).where(Job.status == "running", Job.heartbeat_at < cutoff)
        .values(status="failed", finished_at=utcnow(),
                error=f"worker lost: no heartbeat for more than {heartbeat_timeout_s:.0f}s")
    ).rowcount
    session.commit()
    return failed


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
    """Cancel a queued or running job (a running one stops at its next progress report)."""
    job = get_job(session, job_id)
    if job.status in FINISHED:
        raise ConflictError(f"job {job_id} is already {job.status}")
    job.status = "cancelled"
    job.finished_at = utcnow()
    session.flush()
    return job
