"""The job queue and worker: enqueue after commit, run, record results/failures, cancel, SSE."""

from __future__ import annotations

import json

import pytest

from app.db import session_scope
from app.jobs import queue, worker
from app.jobs.handlers import HANDLERS
from app.paths import PROJECT_ROOT


@pytest.fixture
def test_handlers():
    """Two real job kinds for these tests: one reports progress and succeeds, one fails."""

    def count_words(context):
        context.progress(0.5, "counting")
        return {"words": len(context.payload["text"].split())}

    def explode(context):
        raise ValueError(f"cannot handle {context.payload['text']!r}")

    HANDLERS.update(count_words=count_words, explode=explode)
    yield
    del HANDLERS["count_words"], HANDLERS["explode"]


def enqueue(settings, kind: str, text: str) -> int:
    with session_scope(settings) as db:
        return queue.enqueue(db, kind, {"text": text}).id


def test_worker_runs_jobs_and_records_results(settings, client, test_handlers) -> None:
    ok, bad = enqueue(settings, "count_words", "three small words"), enqueue(settings, "explode", "x")
    assert client.get(f"/api/jobs/{ok}").json()["status"] == "queued"
    assert worker.drain(settings) == 2
    done = client.get(f"/api/jobs/{ok}").json()
    assert (done["status"], done["result"], done["progress"], done["phase"]) == ("succeeded", {"words": 3}, 1.0, "counting")
    failed = client.get(f"/api/jobs/{bad}").json()
    assert failed["status"] == "failed" and "ValueError: cannot handle 'x'" in failed["error"]
    assert worker.drain(settings) == 0
    assert [j["id"] for j in client.get("/api/jobs", params={"status": "failed"}).json()["items"]] == [bad]


def test_cancelled_job_is_not_run_and_cannot_be_cancelled_twice(settings, admin_client, test_handlers) -> None:
    job_id = enqueue(settings, "count_words", "a b")  # queued by the CLI: only an admin may cancel it
    assert admin_client.post(f"/api/jobs/{job_id}/cancel").json()["status"] == "cancelled"
    assert worker.drain(settings) == 0
    again = admin_client.post(f"/api/jobs/{job_id}/cancel")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_events_stream_ends_with_the_final_status(settings, client, test_handlers) -> None:
    job_id = enqueue(settings, "count_words", "one two")
    worker.drain(settings)
    with client.stream("GET", f"/api/jobs/{job_id}/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    events = [block for block in text.split("\n\n") if block]
    assert events[0].startswith("event: progress")
    assert json.loads(events[0].split("data: ", 1)[1])["status"] == "succeeded"
    assert events[-1] == 'event: end\ndata: {"status": "succeeded"}'


def test_unknown_job_is_404(client) -> None:
    assert client.get("/api/jobs/12345").status_code == 404
    assert client.get("/api/jobs/12345/events").status_code == 404


def lose_worker(settings, job_id: int, attempts: int) -> None:
    """Make the job look claimed by a worker that died an hour ago."""
    from datetime import timedelta

    from app.models import Job
    from app.models.base import utcnow

    with session_scope(settings) as db:
        job = db.get(Job, job_id)
        job.status, job.attempts, job.started_at = "running", attempts, utcnow()
        job.heartbeat_at = utcnow() - timedelta(hours=1)


def test_a_job_whose_worker_was_lost_is_requeued_then_failed_when_out_of_attempts(settings, client,
                                                                                   test_handlers) -> None:
    retried, exhausted = enqueue(settings, "count_words", "a b c"), enqueue(settings, "count_words", "x y")
    lose_worker(settings, retried, attempts=1)
    lose_worker(settings, exhausted, attempts=settings.job_max_attempts)
    assert worker.drain(settings) == 1
    again = client.get(f"/api/jobs/{retried}").json()
    assert (again["status"], again["result"], again["attempts"]) == ("succeeded", {"words": 3}, 2)
    lost = client.get(f"/api/jobs/{exhausted}").json()
    assert lost["status"] == "failed" and lost["error"].startswith("worker lost: no heartbeat")
    assert f"attempt {settings.job_max_attempts} of {settings.job_max_attempts}" in lost["error"]


def test_the_same_work_is_queued_once(settings, test_handlers) -> None:
    with session_scope(settings) as db:
        first = queue.enqueue(db, "count_words", {"text": "a"}, dedupe_key="words:a")
        assert queue.enqueue(db, "count_words", {"text": "a"}, dedupe_key="words:a").id == first.id
    worker.drain(settings)
    with session_scope(settings) as db:  # finished: the same key may be queued again
        assert queue.enqueue(db, "count_words", {"text": "a"}, dedupe_key="words:a").id != first.id


def test_job_log_is_for_editors_and_follows_by_offset(settings, client, viewer_client, test_handlers) -> None:
    job_id = enqueue(settings, "explode", "boom")
    worker.drain(settings)
    assert viewer_client.get(f"/api/jobs/{job_id}/logs").status_code == 403
    full = client.get(f"/api/jobs/{job_id}/logs")
    assert "Traceback" in full.text and "ValueError: cannot handle 'boom'" in full.text
    # server paths never leave: the project's files by their relative path, the rest cut short
    assert 'File "app/jobs/runner.py"' in full.text and 'File "tests/app/test_jobs.py"' in full.text
    assert str(PROJECT_ROOT) not in full.text and str(settings.data_dir) not in full.text
    assert client.get(f"/api/jobs/{job_id}").json()["error"] == "ValueError: cannot handle 'boom'"
    offset = int(full.headers["x-next-offset"])
    assert client.get(f"/api/jobs/{job_id}/logs", params={"offset": offset}).text == ""
    assert client.get(f"/api/jobs/{job_id}/logs", params={"tail": 10}).text == full.text[-10:]
    assert client.get("/api/jobs/9999/logs").status_code == 404
