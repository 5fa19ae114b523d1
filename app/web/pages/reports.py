"""/reports and /reports/{id}: the audit, stated confidence against our verdicts, the synthesis."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from app.api.params import Offset, ResourceId
from app.deps import SessionDep
from app.services import reports as service
from app.services.audit import audit_report
from app.services.synthesis import synthesis, to_markdown
from app.services.verdicts import load_report_runs
from app.web import views
from app.web.charts import confidence_strip, verdict_bars
from app.web.session import ReaderDep
from app.web.templating import render

router = APIRouter()


@router.get("/reports", response_class=HTMLResponse)
def reports_list(request: Request, session: SessionDep, _: ReaderDep, offset: Offset = 0,
                 limit: Annotated[int, Query(ge=1, le=200)] = 50) -> HTMLResponse:
    rows, total = service.list_reports(session, offset=offset, limit=limit)
    return render(request, "reports.html", {"reports": rows, "total": total, "offset": offset, "limit": limit,
                                            "chart": verdict_bars(views.verdicts_per_report(session))})


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(report_id: ResourceId, request: Request, session: SessionDep, _: ReaderDep) -> HTMLResponse:
    report, runs = loaded = load_report_runs(session, report_id)
    audit = audit_report(session, report_id, loaded)
    points = views.confidence_points(session, report, runs)
    data = synthesis(session, report_id, loaded)
    return render(request, "report.html", {
        "report": report, "audit": audit, "runs": runs, "chart": confidence_strip(points),
        "synthesis": data, "synthesis_md": to_markdown(data),
    })


@router.get("/reports/{report_id}/synthesis.md", response_class=PlainTextResponse)
def synthesis_markdown(report_id: ResourceId, session: SessionDep, _: ReaderDep) -> PlainTextResponse:
    text = to_markdown(synthesis(session, report_id))
    return PlainTextResponse(text, media_type="text/markdown; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="report-{report_id}-synthesis.md"'})
