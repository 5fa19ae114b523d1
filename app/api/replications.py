"""/api/claims/{id}/replications: queue a replication experiment of a claim; list them."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status

from app.api.params import Offset, ResourceId
from app.deps import SessionDep, SettingsDep
from app.errors import BadRequestError, UnsupportedMediaTypeError
from app.schemas.common import OffsetPage
from app.schemas.jobs import JobOut
from app.schemas.replications import ReplicationOut
from app.services import replicate as service
from app.services.verify import require_claim

router = APIRouter(tags=["replication"])

_BODY = {
    "required": False,
    "content": {"application/json": {"schema": {
        "type": "object",
        "properties": {"spec": {"type": "object", "description": "a ReplicationSpec; default: derived from the claim"}},
        "additionalProperties": False,
    }}},
}


async def requested_spec(request: Request) -> dict[str, Any] | None:
    """The ``spec`` of an ``application/json`` body; ``None`` without a body. Any other
    media type is 415: a spec must never be silently ignored."""
    body = await request.body()
    if not body.strip():
        return None
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaTypeError(
            f"the body is {media_type or 'untyped'}; send the spec as application/json, "
            'e.g. {"spec": {...}}, or send no body to derive the spec from the claim',
            details={"content_type": media_type or None},
        )
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequestError(f"the body is not valid JSON: {exc}", code="invalid_json") from None
    if not isinstance(data, dict) or set(data) - {"spec"}:
        raise BadRequestError('the body must be a JSON object {"spec": {...}}', code="invalid_body")
    spec = data.get("spec")
    if spec is not None and not isinstance(spec, dict):
        raise BadRequestError('"spec" must be a JSON object (a ReplicationSpec)', code="invalid_body")
    return spec


SpecBody = Annotated[dict[str, Any] | None, Depends(requested_spec)]


@router.post("/claims/{claim_id}/replications", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED,
             openapi_extra={"requestBody": _BODY},
             responses={404: {}, 415: {"description": "a body that is not application/json"},
                        422: {"description": "claim not replicable, invalid spec or XTREME data missing"}})
def replicate_claim(claim_id: ResourceId, session: SessionDep, settings: SettingsDep, spec: SpecBody) -> JobOut:
    """Queue baseline-vs-treatment training and scoring; watch the returned job (and its events)."""
    job = service.enqueue_replication(session, settings, claim_id, spec)
    session.commit()
    return JobOut.model_validate(job)


@router.get("/claims/{claim_id}/replications", response_model=OffsetPage[ReplicationOut], responses={404: {}})
def list_replications(claim_id: ResourceId, session: SessionDep, offset: Offset = 0,
                      limit: Annotated[int, Query(ge=1, le=200)] = 50) -> OffsetPage[ReplicationOut]:
    """The claim's replication jobs, newest first, with the verdicts of the finished ones."""
    require_claim(session, claim_id)
    rows, total = service.replications_of(session, claim_id, offset=offset, limit=limit)
    return OffsetPage(items=[ReplicationOut.model_validate(r) for r in rows], total=total, offset=offset, limit=limit)
