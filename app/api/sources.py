"""/api/sources: the cited arXiv papers, their fetching and their passages."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from app.api.params import ID_MAX, Offset, ResourceId
from app.deps import SessionDep, SettingsDep
from app.models import Source
from app.models.sources import SOURCE_STATUSES
from app.schemas.common import OffsetPage
from app.schemas.jobs import JobOut
from app.schemas.sources import PassageOut, SourceDetailOut, SourceOut
from app.services import sources as service

router = APIRouter(prefix="/sources", tags=["sources"])


def _detail(source: Source) -> SourceDetailOut:
    return SourceDetailOut.model_validate(source).model_copy(update={
        "versions_known": service.versions_known(source),
        "version_notice": service.version_notice(source),
    })


@router.get("", response_model=OffsetPage[SourceOut])
def list_sources(session: SessionDep, status: Literal[SOURCE_STATUSES] | None = None,
                 offset: Offset = 0,
                 limit: Annotated[int, Query(ge=1, le=200)] = 50) -> OffsetPage[SourceOut]:
    rows, total = service.list_sources(session, status=status, offset=offset, limit=limit)
    return OffsetPage(items=[SourceOut.model_validate(s) for s in rows], total=total, offset=offset, limit=limit)


@router.get("/{source_id}", response_model=SourceDetailOut)
def get_source(source_id: ResourceId, session: SessionDep) -> SourceDetailOut:
    return _detail(service.get_source(session, source_id))


@router.post("/{source_id}/fetch", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
def fetch_source(source_id: ResourceId, session: SessionDep, settings: SettingsDep, refresh: bool = False) -> JobOut:
    """Queue a fetch (metadata, version-pinned PDF/HTML, passages); poll the returned job."""
    job = service.enqueue_fetch(session, source_id, refresh=refresh, settings=settings)
    session.commit()
    return JobOut.model_validate(job)


@router.get("/{source_id}/passages", response_model=OffsetPage[PassageOut])
def list_passages(source_id: ResourceId, session: SessionDep,
                  page: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None, offset: Offset = 0,
                  limit: Annotated[int, Query(ge=1, le=500)] = 100) -> OffsetPage[PassageOut]:
    rows, total = service.list_passages(session, source_id, page=page, offset=offset, limit=limit)
    return OffsetPage(items=[PassageOut.model_validate(p) for p in rows], total=total, offset=offset, limit=limit)
