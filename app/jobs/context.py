"""What a job handler is given: its payload, settings, sessions, run folder, log and progress."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import session_scope as _session_scope
from app.jobs import queue
from app.jobs.joblog import append_log, job_run_dir
from app.models import Job
from app.settings import Settings


class JobCancelled(Exception):
    """Raised inside a handler when its job was cancelled (or taken over) meanwhile."""


@dataclass(frozen=True, slots=True)
class JobContext:
    job_id: int
    kind: str
    payload: dict
    settings: Settings
    attempt: int = 1

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        with _session_scope(self.settings) as session:
            yield session

    @property
    def run_dir(self) -> Path:
        """The job's own folder, the same for every attempt (checkpoints survive a re-queue)."""
        return job_run_dir(self.settings, self.job_id)

    def log(self, message: str) -> None:
        """A line in the job's log (``GET /api/jobs/{id}/logs``)."""
        append_log(self.settings, self.job_id, message)

    def progress(self, fraction: float, phase: str | None = None) -> None:
        """Record progress and a heartbeat; raise ``JobCancelled`` if the job was cancelled or is
        no longer this attempt."""
        values: dict = {"progress": max(0.0, min(1.0, fraction))}
        if phase is not None:
            values["phase"] = phase[:64]
        with self.session_scope() as session:
            if queue.heartbeat(session, self.job_id, self.attempt, **values):
                return
            status = session.scalar(select(Job.status).where(Job.id == self.job_id))
        raise JobCancelled(f"job {self.job_id} is {status}; attempt {self.attempt} stops")
