"""/jobs: the queue and recent jobs; /jobs/{id}: progress, result, log, cancel;
/jobs/{id}/card: the job's card alone, swapped in by app.js when a job finishes."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.security.roles import Role
from app.api.params import Offset, ResourceId
from app.deps import SessionDep, SettingsDep
from app.jobs import queue
from app.models.jobs import JOB_STATUSES
from app.web import views
from app.web.charts import delta_chart
from app.web.session import ReaderDep
from app.web.templating import render

router = APIRouter()


def job_context(job, session, claim_text: str | None = None) -> dict:
    """What a job card shows: for a finished replication, its chart and figures. ``claim_text``:
    the job's claim when the caller already has it (else it is read)."""
    context: dict = {"job": job, "chart": None, "tasks": [], "overall": None, "claim_text": claim_text}
    if job.claim_id and claim_text is None:
        context["claim_text"] = views.claim_titles(session, {job.claim_id}).get(job.claim_id)
    result = job.result if isinstance(job.result, dict) else None
    if job.kind == "replicate" and result and job.status == "succeeded":
        tasks, overall = views.task_deltas(result), views.overall_delta(result)
        effect = result.get("effect") or {}
        rows = tasks + ([overall] if overall else [])
        context.update(tasks=tasks, overall=overall, chart=delta_chart(
            rows, claimed=effect.get("claimed_delta"), tolerance=effect.get("tolerance"),
            title=f"Claimed against measured delta: job {job.id}"))
    context["synthetic"] = bool(job.kind == "replicate" and str((job.payload or {}).get("spec", {}).get("name", ""))
                                .startswith("synthetic-demo"))
    return context


@router.get("/jobs", response_class=HTMLResponse)
def jobs_list(request: Request, session: SessionDep, _: ReaderDep,
              status: Literal[JOB_STATUSES] | Literal[""] | None = None, offset: Offset = 0,
              limit: Annotated[int, Query(ge=1, le=200)] = 50) -> HTMLResponse:
    rows, total = queue.list_jobs(session, status=status or None, offset=offset, limit=limit)
    return render(request, "jobs.html", {"jobs": rows, "total": total, "offset": offset, "limit": limit,
                                         "status": status or "", "statuses": JOB_STATUSES,
                                         "counts": views.job_counts(session)})


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(job_id: ResourceId, request: Request, session: SessionDep, settings: SettingsDep,
             principal: ReaderDep) -> HTMLResponse:
    job = queue.get_job(session, job_id)
    # Logs hold tracebacks and server paths: editors and admins only, as GET /api/jobs/{id}/logs.
    log = views.job_log_tail(settings, job) if principal is not None and principal.can(Role.editor) else None
    return render(request, "job.html", {**job_context(job, session), "log": log})


@router.get("/jobs/{job_id}/card", response_class=HTMLResponse)
def job_card(job_id: ResourceId, request: Request, session: SessionDep, _: ReaderDep) -> HTMLResponse:
    return render(request, "job_card.html", job_context(queue.get_job(session, job_id), session))
