"""The database gone for a moment: 503s with our error body and Retry-After, then recovery
without a restart; the cause is logged (JSON, with the request id), never sent to the client."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.app.workers import served
from tests.conftest import EXAMPLE_REPORTS, PG_URL, make_token


def assert_unavailable(response) -> None:
    assert response.status_code == 503, response.text[:300]
    assert response.headers["retry-after"] == "5"
    error = response.json()["error"]
    assert error["code"] == "database_unavailable" and "retry" in error["message"]
    assert "Traceback" not in response.text and "/" not in error["message"]


def sqlite_path(settings) -> Path:
    return Path(make_url(settings.database_url).database)


ONLY_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
ONLY_POSTGRES = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@ONLY_SQLITE
def test_sqlite_locked_by_another_writer_gives_503_then_recovers(settings, client_for) -> None:
    client = client_for("editor", settings.model_copy(update={"sqlite_busy_timeout_s": 0.3}))
    assert client.get("/api/reports").status_code == 200  # the token's last use is recorded now
    holder = sqlite3.connect(sqlite_path(settings), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing: writers wait, then give up
    try:
        assert_unavailable(client.post("/api/reports", content=EXAMPLE_REPORTS[0].read_bytes()))
        assert client.get("/api/reports").json()["total"] == 0  # readers are not blocked (WAL)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert client.post("/api/reports", content=EXAMPLE_REPORTS[0].read_bytes()).status_code == 201


@ONLY_POSTGRES
def test_postgres_refusing_connections_gives_503_then_recovers(settings, client) -> None:
    name = make_url(settings.database_url).database
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    assert client.get("/api/reports").status_code == 200
    try:
        with admin.connect() as conn:  # the server drops every session and refuses new ones
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
        assert_unavailable(client.get("/api/reports"))
        assert_unavailable(client.post("/api/reports", content=EXAMPLE_REPORTS[0].read_bytes()))
        health = client.get("/healthz")
        assert health.status_code == 503 and name not in health.text
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
    assert client.get("/api/reports").status_code == 200
    assert client.post("/api/reports", content=EXAMPLE_REPORTS[0].read_bytes()).status_code == 201


@pytest.mark.slow
@ONLY_SQLITE
def test_served_app_logs_the_cause_as_json_with_the_request_id(settings, tmp_path) -> None:
    token = make_token(settings, "editor")
    with served(settings, tmp_path / "serve.log", env={"CLAIMTRACE_SQLITE_BUSY_TIMEOUT_S": "0.3"}) as base:
        auth = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{base}/api/reports", headers=auth).status_code == 200
        holder = sqlite3.connect(sqlite_path(settings), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            response = httpx.post(f"{base}/api/reports", content=EXAMPLE_REPORTS[0].read_bytes(), headers=auth)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert_unavailable(response)
        request_id = response.headers["x-request-id"]
    lines = [json.loads(line) for line in (tmp_path / "serve.log").read_text().splitlines() if line.startswith("{")]
    mine = [entry for entry in lines if entry.get("request_id") == request_id]
    assert any("Traceback" in entry.get("exc_info", "") and "database is locked" in entry["exc_info"]
               for entry in mine), mine
    access = next(entry for entry in mine if entry.get("path") == "/api/reports")
    assert access["status"] == 503 and access["method"] == "POST" and "duration_ms" in access
    assert all({"time", "level", "logger", "message"} <= set(entry) for entry in lines)
