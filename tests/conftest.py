"""Shared fixtures: real databases (SQLite and PostgreSQL), the real app, the real CLI.

HTTP clients carry real API tokens created in the test's database: ``client`` is an editor
(writes work), ``anon_client``/``viewer_client``/``admin_client`` the other cases, and
``client_for(role, settings)`` builds any other; ``token_for(role)`` gives a token for
subprocess tests (``Authorization: Bearer <token>``).

Every test that asks for ``settings`` runs once per database backend. Each test gets a fresh
database copied from a template that the real Alembic migrations built once per session.
PostgreSQL is used when reachable (``CLAIMTRACE_TEST_POSTGRES_URL``, default: the local
socket); with ``CLAIMTRACE_REQUIRE_POSTGRES=1`` (CI) an unreachable server is an error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.db import dispose_engine, session_scope
from app.jobs.executors import settings_environ
from app.migrate import upgrade
from app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_REPORTS = sorted((ROOT / "examples" / "reports").glob("*.txt"))
PG_URL = os.environ.get("CLAIMTRACE_TEST_POSTGRES_URL",
                        "postgresql+psycopg://root@/postgres?host=/var/run/postgresql")
REQUIRE_PG = os.environ.get("CLAIMTRACE_REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", "postgresql"]
TEST_HOSTS = ["testserver", "127.0.0.1", "localhost", "::1"]  # TestClient sends Host: testserver


def _admin_engine():
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """A migrated template database on the PostgreSQL server, or None when there is none."""
    try:
        admin = _admin_engine()
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL required but unreachable at {PG_URL}: {exc}")
        yield None
        return
    name = f"ct_template_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(Settings(database_url=url, data_dir=Path("/nonexistent")))
    dispose_engine(url)
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    upgrade(Settings(database_url=url, data_dir=path.parent))
    dispose_engine(url)
    return path


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A fresh, migrated, empty database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "claimtrace.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
        yield url
        dispose_engine(url)
        return
    template = request.getfixturevalue("postgres_template")
    if template is None:
        pytest.skip("PostgreSQL is not reachable")
    name = f"ct_test_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    dispose_engine(url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings of a throw-away installation: its own data dir and database, no network."""
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        arxiv_api_url="http://127.0.0.1:9/api/query",
        arxiv_pdf_url="http://127.0.0.1:9/pdf/{id}",
        arxiv_html_url="http://127.0.0.1:9/html/{id}",
        http_retries=0,
        http_timeout_s=2.0,
        allowed_hosts=TEST_HOSTS,
    )


@pytest.fixture
def session(settings: Settings) -> Iterator[Session]:
    with session_scope(settings) as db:
        yield db


def make_token(settings: Settings, role: str, name: str | None = None) -> str:
    """A real API token of ``role`` stored (hashed) in the test's database."""
    from app.security.tokens import create_token

    with session_scope(settings) as db:
        return create_token(db, role=role, name=name or f"test {role}").token


@pytest.fixture
def token_for(settings: Settings) -> Callable[[str], str]:
    """``token_for("editor")``: a new token of that role, e.g. for a served subprocess."""
    return lambda role, name=None: make_token(settings, role, name)


@pytest.fixture
def client_for(settings: Settings):
    """``client_for(role, settings=None, **kw)``: a TestClient of a fresh app whose requests carry
    a token of ``role`` (None: anonymous); closed at the end of the test."""
    from fastapi.testclient import TestClient

    from app.main import create_app

    with ExitStack() as stack:
        def make(role: str | None = "editor", app_settings: Settings | None = None, **kwargs):
            chosen = app_settings or settings
            headers = {"Authorization": f"Bearer {make_token(chosen, role)}"} if role else {}
            return stack.enter_context(TestClient(create_app(chosen), headers=headers, **kwargs))

        yield make


@pytest.fixture
def client(client_for):
    """The app with an editor token: reads and writes (ingest, fetch, verify, replicate) work."""
    return client_for("editor")


@pytest.fixture
def anon_client(client_for):
    return client_for(None)


@pytest.fixture
def viewer_client(client_for):
    return client_for("viewer")


@pytest.fixture
def admin_client(client_for):
    return client_for("admin")


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a subprocess exactly these settings (as a job process gets)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMTRACE_")}
    env.update(settings_environ(settings))
    return env


@pytest.fixture
def cli(settings: Settings):
    """Run ``claimtrace ARGS...`` as a real subprocess against the test's installation."""
    executable = Path(sys.executable).parent / "claimtrace"

    def run(*args: str, input: str | None = None, timeout: float = 120, cwd: Path | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(executable), *args], input=input, capture_output=True, text=True,
                              timeout=timeout, cwd=cwd or ROOT, env={**settings_env(settings), **(env or {})})

    return run


@pytest.fixture
def ingested(settings: Settings) -> list[int]:
    """The five sample reports ingested; their report ids in file order."""
    from app.services.reports import ingest_parsed, parse_report_bytes

    ids = []
    with session_scope(settings) as db:
        for path in EXAMPLE_REPORTS:
            ids.append(ingest_parsed(db, parse_report_bytes(path.read_bytes(), settings)).report_id)
    return ids
