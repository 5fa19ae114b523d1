"""Verification routes: queue verify jobs, read a claim's verification history, report audit
and synthesis."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response, status
from sqlalchemy.orm import Session

from app.api.params import ResourceId
from app.api.responses import ModelResponse
from app.db import run_in_session
from app.deps import SessionDep, SettingsDep
from app.schemas.jobs import JobOut
from app.schemas.verification import AuditOut, ClaimStatusOut, VerificationOut
from app.services import audit as audit_service
from app.services import synthesis as synthesis_service
from app.services import verdicts, verify as service

router = APIRouter(tags=["verification"])


@router.post("/claims/{claim_id}/verify", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
def verify_claim(claim_id: ResourceId, session: SessionDep) -> JobOut:
    """Queue verification of every mention of a claim; poll the returned job."""
    job = service.enqueue_verification(session, service.VerifyTarget(claim_id=claim_id))
    session.commit()
    return JobOut.model_validate(job)


@router.post("/reports/{report_id}/verify", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
def verify_report(report_id: ResourceId, session: SessionDep) -> JobOut:
    """Queue verification of every claim of a report; poll the returned job."""
    job = service.enqueue_verification(session, service.VerifyTarget(report_id=report_id))
    session.commit()
    return JobOut.model_validate(job)


@router.get("/claims/{claim_id}/verifications", response_model=list[VerificationOut])
def claim_verifications(claim_id: ResourceId, session: SessionDep) -> list[VerificationOut]:
    """Every verification run of the claim's mentions, newest first, with evidence."""
    return [VerificationOut.model_validate(v) for v in service.verification_history(session, claim_id)]


@router.get("/claims/{claim_id}/status", response_model=ClaimStatusOut)
def claim_status(claim_id: ResourceId, session: SessionDep) -> ClaimStatusOut:
    """The claim's overall status from its mentions' latest verdicts."""
    service.require_claim(session, claim_id)
    return ClaimStatusOut.model_validate(verdicts.latest_verdicts(session, [claim_id])[claim_id])


@router.get("/reports/{report_id}/audit", response_model=AuditOut)
async def report_audit(report_id: ResourceId, settings: SettingsDep) -> ModelResponse:
    """Stated vs measured, unsupported claims, unused and off-topic sources, the question."""
    return await run_in_session(settings, audit_response, report_id)


def audit_response(session: Session, report_id: int) -> ModelResponse:
    """The audit of one report, encoded (runs in a read thread)."""
    return ModelResponse(AuditOut.model_validate(audit_service.audit_report(session, report_id)))


@router.get("/reports/{report_id}/synthesis", response_model=None, responses={200: {"content": {
    "application/json": {"schema": {"type": "object"}}, "text/markdown": {"schema": {"type": "string"}}}}})
def report_synthesis(report_id: ResourceId, session: SessionDep,
                     format: Literal["md", "json"] = "json") -> Response | dict:
    """The report's supported findings with their evidence, as JSON or Markdown."""
    data = synthesis_service.synthesis(session, report_id)
    if format == "md":
        return Response(synthesis_service.to_markdown(data), media_type="text/markdown; charset=utf-8")
    return data
