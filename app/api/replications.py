"""/api/claims/{id}/replications: queue a replication experiment of a claim."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, status

from app.api.params import ResourceId
from app.db import SessionDep, SettingsDep
from app.schemas.jobs import JobOut
from app.services import replicate as service

router = APIRouter(tags=["replication"])


@router.post("/claims/{claim_id}/replications", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED,
             responses={404: {}, 422: {"description": "claim not replicable or invalid spec"}})
def replicate_claim(claim_id: ResourceId, session: SessionDep, settings: SettingsDep,
                    spec: dict[str, Any] | None = Body(default=None, embed=True,
                                                       description="a ReplicationSpec; default: derived from the claim")) -> JobOut:
    """Queue baseline-vs-treatment training and scoring; watch the returned job (and its events)."""
    job = service.enqueue_replication(session, settings, claim_id, spec)
    session.commit()
    return JobOut.model_validate(job)
