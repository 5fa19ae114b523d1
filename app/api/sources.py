"""/api/sources: the cited arXiv papers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.db import SessionDep
from app.schemas.common import OffsetPage
from app.schemas.sources import SourceOut
from app.services import sources as service

router = APIRouter(prefix="/sources", tags=["sources"])


@router.get("", response_model=OffsetPage[SourceOut])
def list_sources(session: SessionDep, status: str | None = None,
                 offset: Annotated[int, Query(ge=0)] = 0,
                 limit: Annotated[int, Query(ge=1, le=200)] = 50) -> OffsetPage[SourceOut]:
    rows, total = service.list_sources(session, status=status, offset=offset, limit=limit)
    return OffsetPage(items=[SourceOut.model_validate(s) for s in rows], total=total, offset=offset, limit=limit)


@router.get("/{source_id}", response_model=SourceOut)
def get_source(source_id: int, session: SessionDep) -> SourceOut:
    return SourceOut.model_validate(service.get_source(session, source_id))
