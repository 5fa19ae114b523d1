"""Editor buttons: verify a claim or a report, start a replication, cancel a job.

Each is an HTML form post (editor, same origin, CSRF token) that queues work through the same
services as the API and redirects back to the page with a message (303, so reloads do not repeat it).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse

from app.api.params import ResourceId
from app.deps import SessionDep, SettingsDep
from app.errors import UnprocessableError
from app.services.jobs import cancel_job
from app.services.replicate import enqueue_replication
from app.services.verify import VerifyTarget, enqueue_verification, require_claim
from app.web.presets import demo_available, demo_spec
from app.web.session import EditorPageDep

router = APIRouter()


def _back(path: str, done: str, job_id: int) -> RedirectResponse:
    return RedirectResponse(f"{path}?done={done}&job={job_id}", status_code=303)


@router.post("/claims/{claim_id}/verify")
def verify_claim(claim_id: ResourceId, session: SessionDep, _: EditorPageDep) -> RedirectResponse:
    job = enqueue_verification(session, VerifyTarget(claim_id=claim_id))
    session.commit()
    return _back(f"/claims/{claim_id}", "verify", job.id)


@router.post("/reports/{report_id}/verify")
def verify_report(report_id: ResourceId, session: SessionDep, _: EditorPageDep) -> RedirectResponse:
    job = enqueue_verification(session, VerifyTarget(report_id=report_id))
    session.commit()
    return _back(f"/reports/{report_id}", "verify", job.id)


@router.post("/claims/{claim_id}/replicate")
def replicate_claim(claim_id: ResourceId, session: SessionDep, settings: SettingsDep, _: EditorPageDep,
                    preset: Annotated[Literal["derived", "demo"], Form()] = "derived") -> RedirectResponse:
    spec = None
    if preset == "demo":
        if not demo_available():
            raise UnprocessableError("the synthetic demonstration needs examples/replication from the source "
                                     "tree, which this installation lacks", code="demo_unavailable")
        spec = demo_spec(settings, require_claim(session, claim_id).text)
    job = enqueue_replication(session, settings, claim_id, spec)
    session.commit()
    return _back(f"/claims/{claim_id}", "replicate", job.id)


@router.post("/jobs/{job_id}/cancel")
def cancel(job_id: ResourceId, session: SessionDep, principal: EditorPageDep) -> RedirectResponse:
    cancel_job(session, job_id, principal)
    session.commit()
    return _back(f"/jobs/{job_id}", "cancel", job_id)
