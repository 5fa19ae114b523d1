from __future__ import annotations

from datetime import datetime

from app.schemas.common import Schema


class ReplicationOut(Schema):
    """One replication job of a claim and, once it succeeded, its verdict and measured effect."""

    job_id: int
    status: str
    progress: float
    verdict: str | None = None  # replicated | not_replicated | inconclusive (succeeded jobs)
    claimed_delta: float | None = None
    measured_delta: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n_seeds: int | None = None
    error: str | None = None
    created_at: datetime
    finished_at: datetime | None
