"""Source use cases (listing and detail; fetching is added by the sources issue)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import NotFoundError
from app.models import Source


def list_sources(session: Session, *, status: str | None = None, offset: int = 0,
                 limit: int = 50) -> tuple[list[Source], int]:
    query = select(Source)
    if status:
        query = query.where(Source.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return list(session.scalars(query.order_by(Source.id).offset(offset).limit(limit))), total


def get_source(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFoundError(f"source {source_id} does not exist")
    return source
