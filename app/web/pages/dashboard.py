"""/ : counts by verdict, reports, sources and jobs, and the verdicts per report chart."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.deps import SessionDep
from app.web import views
from app.web.charts import order_verdicts, verdict_bars
from app.web.session import ReaderDep
from app.web.templating import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, _: ReaderDep) -> HTMLResponse:
    verdicts = views.verdict_counts(session)
    return render(request, "dashboard.html", {
        "verdicts": [(v, verdicts[v]) for v in order_verdicts(verdicts)],
        "mentions": sum(verdicts.values()),
        "reports": views.report_count(session),
        "sources": views.source_counts(session),
        "jobs": views.job_counts(session),
        "chart": verdict_bars(views.verdicts_per_report(session)),
    })
