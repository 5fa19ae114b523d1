"""Reports posted over HTTP are parsed and stored in child processes of the API (``INGEST_PROCESSES``)."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from app import ingestion
from app.ingest_steps import parse_and_store_group
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


def _report_with_claims(n: int) -> bytes:
    """A report of its own with ``n`` claims: a response's claim count says which report it answers."""
    rows = "".join(f"Claim {n}.{i}: XLM-R improves XNLI accuracy by {i}.5 points over mBERT.\t✓\t0.70\n"
                   for i in range(n))
    return REPORT.format(n=n).replace(
        "XLM-R improves XNLI accuracy by {n}.5 points over mBERT.\t✓\t0.70\n".format(n=n), rows).encode()


def test_reports_posted_together_each_get_their_own_answer(client, session) -> None:
    """Reports that wait for the child are stored as a group: each request still gets its own
    result (its id, its claim count, created or not) and a bad report only its own 422."""
    bodies = [_report_with_claims(n) for n in range(1, 13)]
    bodies.append(bodies[4])  # the same report twice
    bad = REPORT.format(n=99).replace("\t✓\t0.70", "\tmaybe\t0.70").encode()
    with ThreadPoolExecutor(len(bodies) + 1) as threads:
        answers = list(threads.map(lambda body: client.post("/api/reports", content=body), [*bodies, bad]))
    *good, rejected = answers
    assert rejected.status_code == 422 and rejected.json()["error"]["details"]["line"] == 14
    assert [answer.json()["claims"] for answer in good] == [*range(1, 13), 5]
    assert sorted(answer.status_code for answer in good[4::8]) == [200, 201]  # bodies[4] and its copy
    assert good[4].json()["id"] == good[12].json()["id"]
    for answer, body in zip(good, bodies):
        stored = client.get(f"/api/reports/{answer.json()['id']}").json()
        assert stored["title"] == body.decode().split("\n")[0]
    assert session.scalar(select(func.count()).select_from(Report)) == 12


def test_a_group_stores_each_report_alone_after_a_conflict(settings: Settings, session) -> None:
    """A database error in a group's transaction: the reports are stored one by one, and only the
    one that still conflicts fails (here a trigger refuses one claim's wording)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("CREATE TRIGGER refuse AFTER INSERT ON claims WHEN NEW.text LIKE 'Claim 3.%' "
                             "BEGIN SELECT RAISE(ABORT, 'refused'); END"))
    else:
        session.execute(text("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                             "IF NEW.text LIKE 'Claim 3.%' THEN RAISE unique_violation USING MESSAGE = 'refused'; "
                             "END IF; RETURN NEW; END $$"))
        session.execute(text("CREATE TRIGGER refuse AFTER INSERT ON claims FOR EACH ROW EXECUTE FUNCTION refuse()"))
    session.commit()
    outcomes = parse_and_store_group([_report_with_claims(n) for n in (2, 3, 4)] + [b"not a report"], settings)
    assert [type(outcome).__name__ for outcome in outcomes] == [
        "IngestResult", "IntegrityError", "IngestResult", "UnprocessableError"]
    assert [outcome.claims for outcome in outcomes[::2]] == [2, 4]
    session.expire_all()
    assert session.scalars(select(Report.title).order_by(Report.id)).all() == ["Child 2", "Child 4"]


class _BusyChild:
    """The child's real work (``parse_and_store_group``, run in a thread pool here), recording
    each group; the first group is held until released, as a busy child holds the queue."""

    def __init__(self) -> None:
        self.groups: list[list[bytes]] = []
        self.busy, self.release = threading.Event(), threading.Event()

    def __call__(self, reports: list[bytes], settings: Settings) -> list:
        self.groups.append(list(reports))
        if len(self.groups) == 1:
            self.busy.set()
            self.release.wait(10)
        return parse_and_store_group(reports, settings)


def _while_busy(monkeypatch, first: tuple[bytes, Settings], later: list[tuple[bytes, Settings]]):
    """Post ``first``, then ``later`` while the child is still storing it; every report's future
    and the groups the child was given."""
    child = _BusyChild()
    monkeypatch.setattr(ingestion, "parse_and_store_group", child)
    groups = ingestion._Groups()
    with ThreadPoolExecutor(1) as pool:
        futures = [groups.submit(pool, 1, *first)]
        assert child.busy.wait(10)
        futures += [groups.submit(pool, 1, report, settings) for report, settings in later]
        child.release.set()
        for future in futures:
            future.exception(10)  # wait for each
    return futures, child.groups


def test_reports_that_wait_for_a_busy_child_go_to_it_as_one_group(settings: Settings, session,
                                                                   monkeypatch) -> None:
    other = settings.model_copy()  # the same database, another installation's settings object
    bodies = [_report_with_claims(n) for n in range(1, 6)]
    futures, groups = _while_busy(monkeypatch, (bodies[0], settings),
                                  [(bodies[1], settings), (bodies[2], settings), (bodies[3], other),
                                   (bodies[4], settings)])
    assert [future.result().claims for future in futures] == [1, 2, 3, 4, 5]
    # Only reports of the same installation (settings) join a group, and the order is kept.
    assert groups == [bodies[:1], bodies[1:3], bodies[3:4], bodies[4:]]
    assert session.scalars(select(Report.title).order_by(Report.id)).all() == [f"Child {n}" for n in range(1, 6)]


def test_a_group_that_fails_fails_each_of_its_reports(settings: Settings, monkeypatch, tmp_path) -> None:
    gone = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite'}"})
    bodies = [_report_with_claims(n) for n in (1, 2, 3)]
    futures, groups = _while_busy(monkeypatch, (bodies[0], gone), [(body, gone) for body in bodies[1:]])
    assert groups == [bodies[:1], bodies[1:]]
    for future in futures:
        assert isinstance(future.exception(), OperationalError) and "unable to open" in str(future.exception())
