"""/api/jobs: queued work, its progress (server-sent events), its log; cancel."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse, StreamingResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.api.params import INT64_MAX, Offset, ResourceId
from app.db import session_scope
from app.deps import SessionDep, SettingsDep
from app.jobs import queue
from app.jobs.joblog import MAX_LOG_READ_BYTES
from app.models.jobs import JOB_STATUSES
from app.schemas.common import OffsetPage
from app.schemas.jobs import JobOut
from app.security.deps import EditorDep
from app.services import jobs as service
from app.settings import Settings

router = APIRouter(prefix="/jobs", tags=["jobs"])
EVENT_POLL_S = 1.0
NEXT_OFFSET_HEADER = "X-Next-Offset"


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
    """Cancel a queued or running job (editors their own, admins anyone's); a running one's
    processes are stopped within seconds."""
    job = service.cancel_job(session, job_id, principal)
    session.commit()
    return JobOut.model_validate(job)


@router.get("/{job_id}/logs", response_class=PlainTextResponse, responses={
    200: {"content": {"text/plain": {}}, "headers": {NEXT_OFFSET_HEADER: {
        "description": "byte offset to ask for next (follow a running job)", "schema": {"type": "integer"}}}}})
def job_logs(job_id: ResourceId, session: SessionDep, settings: SettingsDep, _: EditorDep,
             offset: Annotated[int | None, Query(ge=0, le=INT64_MAX, description="byte offset to read from")] = None,
             tail: Annotated[int | None, Query(ge=1, le=MAX_LOG_READ_BYTES,
                                               description="read the last TAIL bytes instead")] = None,
             ) -> PlainTextResponse:
    """The job's log (each attempt's output and tracebacks), for editors and admins."""
    chunk = service.read_job_log(session, settings, job_id, offset=offset, tail=tail)
    return PlainTextResponse(chunk.text, headers={NEXT_OFFSET_HEADER: str(chunk.next_offset),
                                                  "Cache-Control": "no-cache"})


def _snapshot(settings: Settings, job_id: int) -> dict:
    """The job now, read with a session that is closed before the stream waits again."""
    with session_scope(settings) as db:
        return JobOut.model_validate(queue.get_job(db, job_id)).model_dump(mode="json")


def _first_snapshot(session: Session, job_id: int) -> dict:
    """The job now; then the request's session (its token check included) is committed and
    closed, so the open stream holds no connection."""
    try:
        return JobOut.model_validate(queue.get_job(session, job_id)).model_dump(mode="json")
    finally:
        session.commit()
        session.close()


@router.get("/{job_id}/events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def job_events(job_id: ResourceId, session: SessionDep, settings: SettingsDep) -> StreamingResponse:
    """Server-sent events: one ``progress`` event per change, then one ``end`` event. No
    database connection is held between polls."""
    first = await run_in_threadpool(_first_snapshot, session, job_id)  # 404 before the stream starts

    async def stream() -> AsyncIterator[str]:
        state, last = first, None
        while True:
            if state != last:
                yield f"event: progress\ndata: {json.dumps(state)}\n\n"
                last = state
            if state["status"] in queue.FINISHED:
                yield f"event: end\ndata: {json.dumps({'status': state['status']})}\n\n"
                return
            await asyncio.sleep(EVENT_POLL_S)
            state = await run_in_threadpool(_snapshot, settings, job_id)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
