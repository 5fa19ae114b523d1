"""Job use cases shared by the API and the web pages: cancel with ownership checked, read logs."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from app.errors import ForbiddenError
from app.jobs import queue
from app.jobs.joblog import LogChunk
from app.jobs.joblog import read_job_log as _read_log
from app.models import Job
from app.paths import redact_paths
from app.security.deps import Principal
from app.security.roles import Role
from app.settings import Settings


def cancel_job(session: Session, job_id: int, principal: Principal) -> Job:
    """Cancel a queued or running job: editors their own, admins anyone's (the caller commits).
    A running job's worker kills its process group within about a second."""
    job = queue.get_job(session, job_id)
    if job.created_by != principal.token_id and not principal.can(Role.admin):
        raise ForbiddenError(f"job {job_id} was queued by another token; only an admin may cancel it")
    return queue.cancel(session, job_id)


def read_job_log(session: Session, settings: Settings, job_id: int, *, offset: int | None = None,
                 tail: int | None = None) -> LogChunk:
    """The job's log from byte ``offset`` (or its last ``tail`` bytes), server paths shown as
    in `redact_paths` (offsets stay those of the file); 404 for an unknown job."""
    queue.get_job(session, job_id)
    chunk = _read_log(settings, job_id, offset=offset, tail=tail)
    return replace(chunk, text=redact_paths(chunk.text, settings))
