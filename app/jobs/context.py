"""What a job handler is given: its payload, settings, sessions and a progress reporter."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db import session_scope as _session_scope
from app.models import Job
from app.models.base import utcnow
from app.settings import Settings


class JobCancelled(Exception):
    """Raised inside a handler when its job was cancelled meanwhile."""


@dataclass(frozen=True, slots=True)
class JobContext:
    job_id: int
    kind: str
    payload: dict
    settings: Settings

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        with _session_scope(self.settings) as session:
            yield session

    def progress(self, fraction: float, phase: str | None = None) -> None:
        """Record progress and a heartbeat; raise ``JobCancelled`` if the job was cancelled."""
        with self.session_scope() as session:
            status = session.scalar(select(Job.status).where(Job.id == self.job_id))
            if status == "cancelled":
                raise JobCancelled(f"job {self.job_id} was cancelled")
            values = {"progress": max(0.0, min(1.0, fraction)), "heartbeat_at": utcnow()}
            if phase is not None:
                values["phase"] = phase
            session.execute(update(Job).where(Job.id == self.job_id).values(**values))
