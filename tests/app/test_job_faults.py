"""Jobs survive faults, through real worker and job processes: a killed job process or worker
is recovered in seconds, cancel stops the process group, several workers run each job once,
and a long verify neither blocks the API nor loses or doubles what it wrote."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from sqlalchemy import func, select

from app.db import session_scope
from app.models import ClaimMention, Job, Verification
from tests.app.test_verify import attach_versions
from tests.app.workers import (alive, fast_jobs, job_row, large_report, start_worker, stop_worker,
                               wait_for)
from tests.conftest import EXAMPLE_REPORTS

MENTIONS = 400


def ingest_large(client, claims: int = MENTIONS, tag: str = "large") -> int:
    response = client.post("/api/reports", content=large_report(claims, tag))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def verifications_of(settings, job_id: int) -> tuple[int, int]:
    """(verifications stored by the job, distinct mentions among them)."""
    with session_scope(settings) as db:
        rows = db.execute(select(func.count(), func.count(func.distinct(Verification.mention_id)))
                          .where(Verification.job_id == job_id)).one()
    return rows[0], rows[1]


def mentions_of(settings, report_id: int) -> int:
    with session_scope(settings) as db:
        return db.scalar(select(func.count()).select_from(ClaimMention).where(ClaimMention.report_id == report_id))


def test_killed_job_process_is_requeued_and_the_rerun_adds_no_duplicates(settings, client, tmp_path) -> None:
    settings = fast_jobs(settings)
    attach_versions(settings, tmp_path)
    report = ingest_large(client)
    job_id = client.post(f"/api/reports/{report}/verify").json()["id"]
    worker = start_worker(settings, tmp_path / "worker.log")
    try:
        wait_for(lambda: verifications_of(settings, job_id)[0] >= 2 * settings.verify_batch_size, 120,
                 "two batches of verifications")
        pid = job_row(settings, job_id).pid
        kept_before = verifications_of(settings, job_id)[0]
        os.killpg(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        # while the rest runs, ingestion and reads answer
        for path in EXAMPLE_REPORTS[:2]:
            assert client.post("/api/reports", content=path.read_bytes()).status_code == 201
        assert client.get("/api/claims", params={"report": report}).status_code == 200
        wait_for(lambda: job_row(settings, job_id).attempts == 2, 30, "the second attempt")
        requeued_s = time.monotonic() - killed_at
        done = wait_for(lambda: (j := job_row(settings, job_id)).status in ("succeeded", "failed") and j, 300,
                        "the job to finish")
    finally:
        stop_worker(worker)
    log = client.get(f"/api/jobs/{job_id}/logs").text
    assert done.status == "succeeded", log
    assert "killed by SIGKILL" in log and "re-queued" in log
    total, distinct = verifications_of(settings, job_id)
    assert total == distinct == mentions_of(settings, report)  # kept, then each mention exactly once
    assert kept_before <= done.result["resumed_after"] < MENTIONS
    print(f"\nkilled job process: re-queued and restarted in {requeued_s:.1f} s")
    assert requeued_s < 10
