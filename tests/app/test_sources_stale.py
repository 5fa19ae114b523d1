"""A fetch whose worker died does not leave its source stuck in ``fetching``."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.db import session_scope
from app.jobs.queue import claim_next
from app.models import Job, Source
from app.models.base import utcnow
from app.services.sources import FETCH_JOB, enqueue_fetch, fetch_deadline_s


def test_a_fetch_silent_past_its_deadline_is_failed_and_queued_again(settings) -> None:
    with session_scope(settings) as session:
        source = Source(key="2005.13013v2", arxiv_id="2005.13013", version=2)
        session.add(source)
        session.flush()
        first = enqueue_fetch(session, source.id, settings=settings)
        session.commit()
        assert claim_next(session, {FETCH_JOB}).id == first.id
        source.status = "fetching"  # what the job sets before its worker was killed
        session.commit()
        # Still within the deadline: the running job is the answer.
        assert enqueue_fetch(session, source.id, settings=settings).id == first.id
        first.heartbeat_at = utcnow() - timedelta(seconds=fetch_deadline_s(settings) + 5)
        session.commit()
        again = enqueue_fetch(session, source.id, settings=settings)
        session.commit()
        assert again.id != first.id and again.status == "queued"
        lost = session.scalar(select(Job).where(Job.id == first.id))
        assert lost.status == "failed" and "worker lost" in lost.error
        assert source.status == "failed" and f"fetch job {first.id}" in source.error
