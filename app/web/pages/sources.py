"""/sources and /sources/{id}: metadata, versions, fetch status and error, passages."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.api.params import Offset, ResourceId
from app.deps import SessionDep
from app.models.sources import SOURCE_STATUSES
from app.services import sources as service
from app.web.session import ReaderDep
from app.web.templating import render

router = APIRouter()
# What to do about a source in each state, shown beside it.
ADVICE = {
    "pending": "not fetched yet: run 'claimtrace sources fetch' (or a report's fetch) to download it",
    "fetching": "being fetched now",
    "failed": "the last fetch failed (see the error): fix the cause, then fetch again with --refresh; "
              "offline, attach the text with 'claimtrace sources add KEY --file FILE'",
    "missing": "arXiv has no such paper or version: check the citation in the report",
    "no_text": "fetched, but no text could be extracted: attach a text file with 'claimtrace sources add KEY --file FILE'",
}


@router.get("/sources", response_class=HTMLResponse)
def sources_list(request: Request, session: SessionDep, _: ReaderDep,
                 status: Literal[SOURCE_STATUSES] | Literal[""] | None = None, offset: Offset = 0,
                 limit: Annotated[int, Query(ge=1, le=200)] = 100) -> HTMLResponse:
    rows, total = service.list_sources(session, status=status or None, offset=offset, limit=limit)
    return render(request, "sources.html", {"sources": rows, "total": total, "offset": offset, "limit": limit,
                                            "status": status or "", "statuses": SOURCE_STATUSES, "advice": ADVICE})


@router.get("/sources/{source_id}", response_class=HTMLResponse)
def source_page(source_id: ResourceId, request: Request, session: SessionDep, _: ReaderDep,
                offset: Offset = 0, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> HTMLResponse:
    source = service.get_source(session, source_id)
    passages, total = service.list_passages(session, source_id, offset=offset, limit=limit)
    state = "no_text" if source.status == "fetched" and not source.passage_count else source.status
    return render(request, "source.html", {
        "source": source, "passages": passages, "total": total, "offset": offset, "limit": limit,
        "notice": service.version_notice(source), "versions": service.versions_known(source),
        "advice": ADVICE.get(state),
    })
