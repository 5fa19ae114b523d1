"""Reports posted over HTTP are parsed and stored in child processes of the API (``INGEST_PROCESSES``)."""

from __future__ import annotations

import logging
import os
import signal
import time

from sqlalchemy import func, select

from app.models import Report
from app.settings import Settings

REPORT = ("Child {n}\n\nTester\n\nJune 21, 2026\n\nAbstract\n\nText.\n\n5 Extracted Claims\n\n"
          "Claim\tVerified\tConfidence\nXLM-R improves XNLI accuracy by {n}.5 points over mBERT.\t✓\t0.70\n\n"
          "References\n\n- <http://arxiv.org/abs/2005.13013v2>\n")


def _children(client) -> dict[int, object]:
    pool = client.app.state.ingestor._pool
    return dict(pool._processes) if pool is not None else {}


def test_reports_are_stored_by_a_child_process_and_a_dead_child_is_replaced(client, session) -> None:
    first = client.post("/api/reports", content=REPORT.format(n=1).encode())
    assert first.status_code == 201, first.text
    children = _children(client)
    assert children and os.getpid() not in children  # not this process: a child did the work

    for pid in children:  # the child dies (OOM killer, an operator): the next ingestion says so
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while not client.app.state.ingestor._pool._broken and time.monotonic() < deadline:
        time.sleep(0.05)
    lost = client.post("/api/reports", content=REPORT.format(n=2).encode())
    assert lost.status_code == 503 and lost.headers["Retry-After"] == "1", lost.text
    assert "send it again" in lost.json()["error"]["message"]
    assert session.scalar(select(func.count()).select_from(Report)) == 1  # nothing half-written

    again = client.post("/api/reports", content=REPORT.format(n=2).encode())  # new children
    assert again.status_code == 201, again.text
    assert set(_children(client)).isdisjoint(children)
    assert session.scalar(select(func.count()).select_from(Report)) == 2


def test_errors_raised_in_the_child_reach_the_caller_unchanged(client) -> None:
    bad = REPORT.format(n=3).replace("XLM-R improves XNLI accuracy by 3.5 points over mBERT.\t✓\t0.70",
                                     "XLM-R improves XNLI.\tmaybe\t0.70")
    response = client.post("/api/reports", content=bad.encode())
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "report_parse_error" and error["details"]["line"] == 14
    assert _children(client)  # the error came from a child


def test_without_ingest_processes_the_api_process_ingests(client_for, settings: Settings) -> None:
    client = client_for("editor", settings.model_copy(update={"ingest_processes": 0}))
    assert client.post("/api/reports", content=REPORT.format(n=4).encode()).status_code == 201
    assert client.app.state.ingestor._pool is None


def test_the_server_stops_its_ingestion_children(settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from app.main import create_app
    from tests.conftest import make_token

    headers = {"Authorization": f"Bearer {make_token(settings, 'editor')}"}
    with TestClient(create_app(settings), headers=headers) as client:
        assert client.post("/api/reports", content=REPORT.format(n=5).encode()).status_code == 201
        processes = list(_children(client).values())
        assert processes
    for process in processes:  # the lifespan's shutdown has run
        process.join(timeout=10)
        assert not process.is_alive()


def test_start_runs_a_child_before_any_report_arrives(client) -> None:
    ingestor = client.app.state.ingestor
    assert not _children(client)  # children start on demand in a bare app (the tests' clients) ...
    assert ingestor.start() >= 0
    started = _children(client)
    assert started and all(process.is_alive() for process in started.values())  # ... or when started
    ingestor.start()  # idempotent: the same children
    assert _children(client) == started
    assert client.post("/api/reports", content=REPORT.format(n=5).encode()).status_code == 201
    assert _children(client) == started  # the report went to the child already running


def test_an_ingestion_process_that_cannot_start_costs_reports_a_503_not_the_server(
        client, session, monkeypatch, caplog) -> None:
    import app.ingestion as ingestion

    def no_fork_server():
        raise OSError("no /dev/shm here")

    monkeypatch.setattr(ingestion, "_context", no_fork_server)
    with caplog.at_level(logging.ERROR, logger="app.ingestion"):
        client.app.state.ingestor.start()  # what `claimtrace serve` calls: logged, not raised
    assert "the ingestion process did not start (no /dev/shm here)" in caplog.text

    refused = client.post("/api/reports", content=REPORT.format(n=6).encode())
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "5", refused.text
    message = refused.json()["error"]["message"]
    assert "CLAIMTRACE_INGEST_PROCESSES=0" in message and "/dev/shm" not in message  # the cause stays in the log
    assert session.scalar(select(func.count()).select_from(Report)) == 0
    assert client.get("/api/claims").status_code == 200  # reads serve on

    monkeypatch.undo()  # the cause is gone: the next report starts the child and is stored
    assert client.post("/api/reports", content=REPORT.format(n=6).encode()).status_code == 201
    assert _children(client)
