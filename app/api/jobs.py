"""/api/jobs: queued work and its progress."""

from __future__ import annotations

from typing import Annotated, Literal

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from starlette.concurrency import run_in_threadpool

from app.api.params import Offset, ResourceId
from app.db import SessionDep, SettingsDep, session_scope
from app.errors import ForbiddenError
from app.jobs import queue
from app.models.jobs import JOB_STATUSES
from app.schemas.common import OffsetPage
from app.schemas.jobs import JobOut
from app.security.deps import EditorDep
from app.security.roles import Role

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.get("", response_model=OffsetPage[JobOut])
def list_jobs(session: SessionDep, status: Literal[JOB_STATUSES] | None = None,
              kind: Annotated[str | None, Query(pattern=r"^[a-z_]{1,32}$")] = None, offset: Offset = 0,
              limit: Annotated[int, Query(ge=1, le=200)] = 50) -> OffsetPage[JobOut]:
    rows, total = queue.list_jobs(session, status=status, kind=kind, offset=offset, limit=limit)
    return OffsetPage(items=[JobOut.model_validate(j) for j in rows], total=total, offset=offset, limit=limit)


@router.get("/{job_id}", response_model=JobOut)
def get_job(job_id: ResourceId, session: SessionDep) -> JobOut:
    return JobOut.model_validate(queue.get_job(session, job_id))


@router.post("/{job_id}/cancel", response_model=JobOut, responses={409: {"description": "already finished"}})
def cancel_job(job_id: ResourceId, session: SessionDep, principal: EditorDep) -> JobOut:
    """Cancel a queued or running job: editors their own, admins anyone's."""
    if queue.get_job(session, job_id).created_by != principal.token_id and not principal.can(Role.admin):
        raise ForbiddenError(f"job {job_id} was queued by another token; only an admin may cancel it")
    job = queue.cancel(session, job_id)
    session.commit()
    return JobOut.model_validate(job)


EVENT_POLL_S = 0.5


@router.get("/{job_id}/events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def job_events(job_id: ResourceId, session: SessionDep, settings: SettingsDep) -> StreamingResponse:
    """Server-sent events: one ``progress`` event per change, then one ``end`` event."""
    await run_in_threadpool(queue.get_job, session, job_id)  # 404 before the stream starts (off the event loop)

    def snapshot() -> dict:
        with session_scope(settings) as db:
            return JobOut.model_validate(queue.get_job(db, job_id)).model_dump(mode="json")

    async def stream() -> AsyncIterator[str]:
        last = None
        while True:
            state = await asyncio.to_thread(snapshot)
            if state != last:
                yield f"event: progress\ndata: {json.dumps(state)}\n\n"
                last = state
            if state["status"] in queue.FINISHED:
                yield f"event: end\ndata: {json.dumps({'status': state['status']})}\n\n"
                return
            await asyncio.sleep(EVENT_POLL_S)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
