"""Engines and sessions: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from app.settings import Settings, get_settings

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Connections per process: enough for the request threads of a busy server (16+ concurrent clients)
# without waiting on the pool; PostgreSQL's default max_connections (100) leaves room for workers.
POOL_SIZE, POOL_OVERFLOW = 10, 20
SQLITE_MMAP_BYTES = 1 << 30
SQLITE_CACHE_KIB = 32 * 1024
T = TypeVar("T")


def _sqlite_configurer(busy_timeout_ms: int):
    def configure(dbapi_connection, _record) -> None:  # pragma: no cover - driver hook
        _configure_sqlite(dbapi_connection, busy_timeout_ms)
    return configure


def _configure_sqlite(dbapi_connection, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, no fsync per commit
    # Large tables insert at random places of several indexes (claim keys, FTS): keep their pages
    # in memory. The map is shared by every connection; the cache is per connection.
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def make_engine(url: str, *, busy_timeout_s: float = SQLITE_BUSY_TIMEOUT_MS / 1000) -> Engine:
    """An engine for ``url``; SQLite files get WAL mode, a busy timeout and foreign keys."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_timeout_s},
                               **({} if ":memory:" in url or url.rstrip("/") == "sqlite:" else
                                  {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}))
        event.listen(engine, "connect", _sqlite_configurer(int(busy_timeout_s * 1000)))
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)


_ENGINES: dict[str, tuple[Engine, sessionmaker[Session]]] = {}  # url: its engine and session factory
_READ_EXECUTORS: dict[tuple[str, int], ThreadPoolExecutor] = {}  # (url, threads): run_in_session's threads
_ENGINES_LOCK = threading.Lock()


def _database(settings: Settings) -> tuple[Engine, sessionmaker[Session]]:
    """The shared engine (one pool per process and URL) and session factory of the settings'
    database, made on first use (building a factory per request costs more than a page's query)."""
    url = settings.sqlalchemy_url
    with _ENGINES_LOCK:
        if url not in _ENGINES:
            if url.startswith("sqlite"):
                settings.ensure_data_dir()
            engine = make_engine(url, busy_timeout_s=settings.sqlite_busy_timeout_s)
            _ensure_schema(settings, engine)
            _ENGINES[url] = engine, sessionmaker(bind=engine, expire_on_commit=False)
        return _ENGINES[url]


def engine_for(settings: Settings) -> Engine:
    """The shared engine of one database URL (one pool per process and URL)."""
    return _database(settings)[0]


def _ensure_schema(settings: Settings, engine: Engine) -> None:
    """SQLite is created/migrated on first use; PostgreSQL behind the migrations is an error."""
    from app.migrate import ensure_schema

    try:
        ensure_schema(settings, engine)
    except BaseException:
        engine.dispose()
        raise


def dispose_engine(url: str) -> None:
    """Close the pooled connections and read threads of ``url`` (tests drop their databases
    afterwards)."""
    with _ENGINES_LOCK:
        engine, _ = _ENGINES.pop(url, (None, None))
        executors = [_READ_EXECUTORS.pop(key) for key in list(_READ_EXECUTORS) if key[0] == url]
    for executor in executors:
        executor.shutdown(wait=False)
    if engine is not None:
        engine.dispose()


def make_sessionmaker(settings: Settings) -> sessionmaker[Session]:
    """The shared session factory of the settings' database."""
    return _database(settings)[1]


@contextmanager
def session_scope(settings: Settings | None = None) -> Iterator[Session]:
    """A session committed on success and rolled back on any error."""
    session = make_sessionmaker(settings or get_settings())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _read_executor(settings: Settings) -> ThreadPoolExecutor:
    """The threads that run one database's reads (made on first use). By default one on SQLite,
    where a read is CPU work of this process (more threads only contend for the interpreter
    lock), two on PostgreSQL, where a read also waits on the server."""
    url = settings.sqlalchemy_url
    key = (url, settings.db_read_threads or (1 if url.startswith("sqlite") else 2))
    with _ENGINES_LOCK:
        if key not in _READ_EXECUTORS:
            _READ_EXECUTORS[key] = ThreadPoolExecutor(key[1], thread_name_prefix="db-read")
        return _READ_EXECUTORS[key]


async def run_in_session(settings: Settings, work: Callable[..., T], /, *args, **kwargs) -> T:
    """``work(session, *args, **kwargs)`` in a worker thread inside one ``session_scope``.

    For hot read routes: one thread hop per request, where a sync route with ``SessionDep``
    takes three (open the session, run the route, close it). At most ``DB_READ_THREADS`` run at
    once; the other reads wait in the queue of those threads. Sixteen threads fighting over
    one interpreter lock served a third fewer claims pages than one thread at a time (SQLite).
    The hop is asyncio's executor (about 25 µs of CPU, against about 110 µs for AnyIO's worker
    threads), with the request's context variables (its id in log lines)."""
    def call() -> T:
        with session_scope(settings) as session:
            return work(session, *args, **kwargs)
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(_read_executor(settings), context.run, call)
