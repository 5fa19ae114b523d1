"""Reports posted over HTTP, parsed and stored in child processes of the API server.

Parsing and writing a report of 100 claims is several milliseconds of pure Python. Run in a
thread of the API process, it holds the interpreter lock that every read request needs, so a
few writers stretch every page's latency. In a child process it only competes for a CPU, at a
lower scheduling priority (``INGEST_NICE``) so that a saturated machine favours the reads.
``INGEST_PROCESSES=0`` keeps the thread (one process, nothing forked).

Children come from a fork server that imported this module once, so a new child starts in
milliseconds; the fork server itself takes about half a second to import the app. ``claimtrace
serve`` starts both before it listens (`Ingestor.start`), and a pool started again after a child
died starts in a worker thread: started from the event loop on the first report, it had stalled
every request in flight for that half second. Each child opens its own database connections;
errors (parse errors naming the line, size limits, database errors) come back to the request as
the same exceptions.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from starlette.concurrency import run_in_threadpool

from app.db import session_scope
from app.errors import PayloadTooLargeError, ServiceUnavailableError, UnprocessableError
from app.services import reports as service
from app.settings import Settings
from verifier.reports import ReportParseError, ReportTooLargeError

log = logging.getLogger(__name__)

_NO_CHILD_HINT = ("the server's log says why; CLAIMTRACE_INGEST_PROCESSES=0 stores reports in the server "
                  "process instead")
INGEST_NICE = 5  # a child's CPU share under contention: about a third of a request thread's
# A fork server or child that cannot start (BrokenProcessPool is a RuntimeError).
_START_FAILURES = (OSError, RuntimeError, EOFError)


def parse_and_store(data: bytes, settings: Settings) -> service.IngestResult:
    """Parse (linear time), then store in one transaction of its own; parse errors name the line."""
    try:
        parsed = service.parse_report_bytes(data, settings)
    except ReportTooLargeError as exc:
        raise PayloadTooLargeError(exc.message, details={"line": exc.line or None}) from None
    except ReportParseError as exc:
        raise UnprocessableError(exc.message, code="report_parse_error", details={"line": exc.line}) from None
    with session_scope(settings) as session:
        return service.ingest_parsed(session, parsed)


def _start_child() -> None:
    """In each child: leave Ctrl-C to the server (it shuts the pool down) and yield the CPU to it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(INGEST_NICE)


def _ready() -> None:
    """A task that does nothing: run once, it proves a child is up."""


def _context() -> multiprocessing.context.BaseContext:
    """A fork server with this module imported: fast starts, and never a fork of the threaded server."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


class Ingestor:
    """Where one app runs its HTTP ingestions: a pool of ``processes`` children, or threads (0)."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self._starting = threading.Lock()

    def start(self) -> float:
        """Start the fork server and a child now (blocking); returns the seconds it took. A
        failure is logged, not raised: the reads serve anyway, and a report posted later tries
        again (and answers 503 with what to do if it still cannot)."""
        began = time.perf_counter()
        if self.processes:
            try:
                self._start_or_log()
            except _START_FAILURES:
                return time.perf_counter() - began  # logged; the reads serve without it
            log.info("ingestion process started in %.2f s", time.perf_counter() - began)
        return time.perf_counter() - began

    def _executor(self) -> Executor:
        """The pool, started (with a child up) if there is none: blocks for the fork server's start."""
        with self._starting:
            if self._pool is None:
                pool = ProcessPoolExecutor(self.processes, mp_context=_context(), initializer=_start_child)
                try:
                    pool.submit(_ready).result()
                except BaseException:
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
                self._pool = pool
            return self._pool

    def _start_or_log(self) -> Executor:
        """``_executor``, with a failure to start logged once (with what to do) and raised again."""
        try:
            return self._executor()
        except _START_FAILURES as exc:
            log.error("the ingestion process did not start (%s); %s", exc, _NO_CHILD_HINT)
            raise

    async def ingest(self, data: bytes, settings: Settings) -> service.IngestResult:
        if not self.processes:
            return await run_in_threadpool(parse_and_store, data, settings)
        pool = self._pool
        if pool is None:
            try:
                pool = await run_in_threadpool(self._start_or_log)  # a start blocks: off the loop
            except _START_FAILURES:
                raise ServiceUnavailableError(f"the ingestion process could not start; {_NO_CHILD_HINT}; nothing "
                                              "was stored", headers={"Retry-After": "5"}) from None
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, parse_and_store, data, settings)
        except BrokenProcessPool:
            log.error("an ingestion process died (killed or out of memory); starting new ones")
            if self._pool is pool:
                self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)
            raise ServiceUnavailableError("the ingestion process stopped before answering; a report is stored "
                                          "whole or not at all: send it again (if it was stored, the answer is "
                                          "200 with its id)", headers={"Retry-After": "1"}) from None

    def close(self) -> None:
        """Stop the children (after the ingestions in flight finish)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
