"""`claimtrace export --all` / `claimtrace import`: the whole database as JSON lines, round-tripped
SQLite → PostgreSQL through the real CLI, ids, verdicts, jobs and tokens included."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from app.db import dispose_engine, session_scope
from app.jobs import queue
from app.models import Evidence, Verification
from app.settings import Settings
from tests.conftest import EXAMPLE_REPORTS, PG_URL, make_token

FAST = {"CLAIMTRACE_EMBEDDING_MODEL": "none"}


@pytest.fixture
def empty_postgres(request, postgres_template):
    if postgres_template is None:
        pytest.skip("PostgreSQL is not reachable")
    name = f"ct_import_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    dispose_engine(url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def rows(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()[1:]]


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_to_postgresql_round_trip(settings, ingested, cli, client_for, empty_postgres, tmp_path) -> None:
    assert cli("verify", "--report", str(ingested[0]), env=FAST).returncode == 0  # verifications and evidence
    token = make_token(settings, "editor", "survives the move")
    with session_scope(settings) as db:
        queue.enqueue(db, "fetch", {"source_id": 1})
        verification = db.scalar(select(Verification).limit(1))
        verification.evidence.append(Evidence(rank=0, source_id=1, source_key="2005.13013v2", source_version=2,
                                              passage_index=3, page=1, char_start=10, char_end=42, text="résumé ✓",
                                              retrieval_score=0.5, stance="supports", stance_prob=0.9))
    dump = tmp_path / "all.jsonl"
    exported = cli("export", "--all", "-o", str(dump))
    assert exported.returncode == 0, exported.stderr
    header = json.loads(dump.read_text().splitlines()[0])
    assert header["claimtrace_export"] == 1 and header["tables"]["verifications"] > 0 and header["tables"]["api_tokens"] == 1
    assert {r["table"] for r in rows(dump)} >= {"reports", "claims", "claim_mentions", "citations", "sources",
                                                "verifications", "evidence", "jobs", "api_tokens"}

    pg_env = {"CLAIMTRACE_DATABASE_URL": empty_postgres}
    imported = cli("import", str(dump), env=pg_env)
    assert imported.returncode == 0, imported.stderr
    again = tmp_path / "again.jsonl"
    assert cli("export", "--all", "-o", str(again), env=pg_env).returncode == 0
    assert rows(again) == rows(dump)  # every row, every value, same ids

    moved = Settings(database_url=empty_postgres, data_dir=tmp_path / "pg-data", allowed_hosts=["testserver"])
    client = client_for(None, moved)
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/reports/{ingested[0]}", headers=auth).json()["claims"]
    new = client.post("/api/reports", content=EXAMPLE_REPORTS[0].read_bytes().replace(b"Abstract", b"Abstract!", 1),
                      headers=auth)
    assert new.status_code == 201 and new.json()["id"] == max(ingested) + 1  # sequences moved past the ids

    refused = cli("import", str(dump), env=pg_env)
    assert refused.returncode == 1 and "not empty" in refused.stderr


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_import_refuses_what_is_not_an_export(cli, tmp_path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"hello": 1}\n')
    result = cli("import", str(bad))
    assert result.returncode == 1 and "not a Claimtrace export" in result.stderr
    assert "no such file" in cli("import", str(tmp_path / "missing.jsonl")).stderr
