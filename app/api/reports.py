"""/api/reports: ingest a report (text body or file upload), list, show."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.api.params import Offset, ResourceId
from app.deps import SessionDep, SettingsDep
from app.errors import PayloadTooLargeError, UnprocessableError
from app.models import Report
from app.schemas.common import OffsetPage
from app.schemas.reports import (IngestResponse, ReportCitation, ReportDetail, ReportMention,
                                 ReportSummary, StatedFigures)
from app.services import reports as service

router = APIRouter(prefix="/reports", tags=["reports"])

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/plain": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}},
                           "required": ["file"], "additionalProperties": False}
            },
        },
    }
}


async def _read_limited(request: Request, limit: int) -> bytes:
    """The report bytes (raw body or the ``file`` form field), refusing more than ``limit``."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 64_000:
        raise PayloadTooLargeError(f"request body is {int(declared):,} bytes; the report limit is {limit:,}")
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=4)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise UnprocessableError("multipart upload needs a 'file' field", code="missing_file")
        data = await upload.read(limit + 1)
    else:
        chunks, size = [], 0
        async for chunk in request.stream():
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # stop buffering: the report is refused anyway
                break
        data = b"".join(chunks)
    if len(data) > limit:
        raise PayloadTooLargeError(f"report is over the size limit of {limit:,} bytes")
    return data


@router.post("", response_model=IngestResponse, status_code=status.HTTP_201_CREATED,
             openapi_extra=_UPLOAD_BODY,
             responses={200: {"model": IngestResponse, "description": "already ingested: the existing report"},
                        413: {"description": "report over the size or claims limit"},
                        422: {"description": "not a report: the error names the line"}})
async def ingest_report(request: Request, response: Response, settings: SettingsDep) -> IngestResponse:
    """Ingest one report; 201 when new, 200 with the existing id when already ingested."""
    data = await _read_limited(request, settings.max_report_bytes)
    result = await request.app.state.ingestor.ingest(data, settings)  # off the loop and the API's interpreter
    if not result.created:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = f"/api/reports/{result.report_id}"
    return IngestResponse(id=result.report_id, created=result.created, claims=result.claims,
                          warnings=result.warnings)


def _summary_fields(report: Report) -> dict:
    return dict(id=report.id, title=report.title, author=report.author, report_date=report.report_date,
                research_question=report.research_question, claim_count=report.claim_count,
                created_at=report.created_at)


@router.get("", response_model=OffsetPage[ReportSummary])
def list_reports(session: SessionDep, offset: Offset = 0,
                 limit: Annotated[int, Query(ge=1, le=200)] = 50) -> OffsetPage[ReportSummary]:
    rows, total = service.list_reports(session, offset=offset, limit=limit)
    return OffsetPage(items=[ReportSummary(**_summary_fields(r)) for r in rows], total=total,
                      offset=offset, limit=limit)


@router.get("/{report_id}", response_model=ReportDetail)
def get_report(report_id: ResourceId, session: SessionDep) -> ReportDetail:
    report = service.get_report(session, report_id)
    return ReportDetail(
        **_summary_fields(report), sha256=report.sha256, warnings=report.warnings,
        stated=StatedFigures(
            papers_retrieved=report.stated_papers_retrieved, claims_extracted=report.stated_claims_extracted,
            claims_verified=report.stated_claims_verified, quality_score=report.stated_quality_score,
        ),
        claims=[ReportMention(claim_id=m.claim_id, position=m.position, line=m.line, text=m.claim.text,
                              truncated=m.claim.truncated, stated_verified=m.stated_verified,
                              stated_confidence=m.stated_confidence) for m in report.mentions],
        citations=[ReportCitation(position=c.position, raw=c.raw, source_id=c.source_id,
                                  arxiv_key=c.source.key if c.source else None, warning=c.warning)
                   for c in report.citations],
    )
