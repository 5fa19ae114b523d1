"""/api/jobs: queued work and its progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.db import SessionDep
from app.jobs import queue
from app.schemas.common import OffsetPage
from app.schemas.jobs import JobOut

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.get("", response_model=OffsetPage[JobOut])
def list_jobs(session: SessionDep, status: str | None = None, kind: str | None = None,
              offset: Annotated[int, Query(ge=0)] = 0,
              limit: Annotated[int, Query(ge=1, le=200)] = 50) -> OffsetPage[JobOut]:
    rows, total = queue.list_jobs(session, status=status, kind=kind, offset=offset, limit=limit)
    return OffsetPage(items=[JobOut.model_validate(j) for j in rows], total=total, offset=offset, limit=limit)


@router.get("/{job_id}", response_model=JobOut)
def get_job(job_id: int, session: SessionDep) -> JobOut:
    return JobOut.model_validate(queue.get_job(session, job_id))


@router.post("/{job_id}/cancel", response_model=JobOut)
def cancel_job(job_id: int, session: SessionDep) -> JobOut:
    job = queue.cancel(session, job_id)
    session.commit()
    return JobOut.model_validate(job)
