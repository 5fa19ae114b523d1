"""Queued work (fetch, verify, replicate) that a worker runs outside the request."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAtMixin

JOB_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
PENDING_SQL = "status IN ('queued', 'running')"


class Job(CreatedAtMixin, Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index(None, "status", "id"),
        # one queued-or-running job per dedupe key: the same work is never queued twice
        Index("uq_jobs_pending_dedupe_key", "dedupe_key", unique=True,
              sqlite_where=text(PENDING_SQL), postgresql_where=text(PENDING_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id", ondelete="SET NULL"))
    payload: Mapped[dict] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    phase: Mapped[str | None] = mapped_column(String(64))
    progress: Mapped[float] = mapped_column(default=0.0)
    executor: Mapped[str] = mapped_column(String(16), default="local")
    external_id: Mapped[str | None] = mapped_column(String(128))
    log_path: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None]
    heartbeat_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL"), doc="the API token that queued it (None: CLI or worker)")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0", doc="starts so far (claims)")
    worker: Mapped[str | None] = mapped_column(String(128), doc="host:pid of the supervisor running it")
    pid: Mapped[int | None] = mapped_column(doc="process (group) id of the running attempt, local executor")
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
