"""/claims: the filterable, sortable claims table; /claims/{id}: one claim with its evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from app.api.params import PLAIN_TEXT, ResourceId
from app.deps import SessionDep, SettingsDep
from app.models import ClaimMention, Evidence, Verification
from app.services import claims as service
from app.services.verdicts import latest_verdicts, latest_verifications
from app.services.verify import verification_history
from app.web import views
from app.web.highlight import highlight
from app.web.pages.jobs import job_context
from app.web.pages.params import blank_to_none, optional_id
from app.web.presets import PRESETS, demo_available
from app.web.session import ReaderDep
from app.web.templating import render

router = APIRouter()
SORTS = {"id": "oldest first", "-id": "newest first", "text": "text A–Z", "-text": "text Z–A"}
PAGE_SIZES = (25, 50, 100, 200)


@router.get("/claims", response_class=HTMLResponse)
def claims_table(
    request: Request, session: SessionDep, _: ReaderDep,
    q: Annotated[str | None, Query(max_length=500, pattern=PLAIN_TEXT)] = None,
    verdict: Annotated[str | None, Query(pattern=r"^[a-z_]{0,24}$")] = None,
    report: Annotated[str | None, Query(max_length=12)] = None,
    source: Annotated[str | None, Query(max_length=12)] = None,
    sort: Annotated[service.ClaimSort, Query()] = "id",
    cursor: Annotated[str | None, Query(max_length=service.MAX_CURSOR_LENGTH)] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
) -> HTMLResponse:
    filters = service.ClaimFilters(report=optional_id(report, "report"), q=blank_to_none(q),
                                   verdict=blank_to_none(verdict), source=optional_id(source, "source"))
    rows, next_cursor = service.list_claims(session, filters, sort=sort, cursor=blank_to_none(cursor), limit=limit)
    ids = [c.id for c in rows]
    return render(request, "claims.html", {
        "claims": rows, "status": latest_verdicts(session, ids), "mentions": views.mentions_of(session, ids),
        "filters": filters, "sort": sort, "sorts": SORTS, "limit": limit, "page_sizes": PAGE_SIZES,
        "next_cursor": next_cursor, "paged": bool(cursor),
        "verdict_choices": ["supported", "contradicted", "not_enough_info", "unchecked", "unverified"],
        "reports": views.report_options(session), "sources": views.source_options(session),
    })


@dataclass(slots=True)
class VerdictGroup:
    """Mentions whose latest runs read the same (verdict, explanation, evidence): shown once."""

    report_ids: list[int]
    run: Verification | None
    evidence: list[tuple[Evidence, Markup]]


def verdict_groups(mentions: list[ClaimMention], runs: dict[int, Verification], text: str) -> list[VerdictGroup]:
    groups: dict[tuple, VerdictGroup] = {}
    for mention in mentions:
        run = runs.get(mention.id)
        key = (None,) if run is None else (
            run.verdict, None if run.confidence is None else round(run.confidence, 4), run.explanation,
            tuple(run.version_notes),
            tuple((e.source_key, e.passage_index, e.stance) for e in run.evidence))
        if key not in groups:
            groups[key] = VerdictGroup([], run, [(e, highlight(e.text, text)) for e in run.evidence] if run else [])
        groups[key].report_ids.append(mention.report_id)
    return list(groups.values())


@router.get("/claims/{claim_id}", response_class=HTMLResponse)
def claim_page(claim_id: ResourceId, request: Request, session: SessionDep, settings: SettingsDep,
               _: ReaderDep) -> HTMLResponse:
    claim = service.get_claim(session, claim_id)
    runs = latest_verifications(session, claim_ids=[claim_id])
    history = verification_history(session, claim_id)
    text = claim.completed_text or claim.text
    return render(request, "claim.html", {
        "claim": claim, "status": latest_verdicts(session, [claim_id])[claim_id], "runs": runs,
        "verdict_groups": verdict_groups(claim.mentions, runs, text), "history": history,
        "replications": [job_context(j, session, claim.text) for j in views.replications_of(session, claim_id)],
        "presets": [p for p in PRESETS.values() if p.name != "demo" or demo_available()],
    })
