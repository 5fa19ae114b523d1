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

Reports posted while a child is busy wait, and the child then stores them together (group
commit): up to ``GROUP_REPORTS`` reports in one transaction, each still all or nothing (a
database error stores that group again report by report). On SQLite a 100-claim report stored
alone spent about half its time committing (some 480 pages of index leaves written to the WAL);
four stored together took about 30% less each, eight about 37% less.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool

from app.errors import ServiceUnavailableError
from app.ingest_steps import parse_and_store, parse_and_store_group
from app.services import reports as service
from app.settings import Settings

log = logging.getLogger(__name__)

_NO_CHILD_HINT = ("the server's log says why; CLAIMTRACE_INGEST_PROCESSES=0 stores reports in the server "
                  "process instead")
INGEST_NICE = 5  # a child's CPU share under contention: about a third of a request thread's
GROUP_REPORTS = 16  # reports that waited for a child, stored in one transaction
GROUP_WAIT_S = 0.010  # how long a group may wait for the previous group's clients (a report costs ~20 ms)
# A fork server or child that cannot start (BrokenProcessPool is a RuntimeError).
_START_FAILURES = (OSError, RuntimeError, EOFError)


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
        self._groups = _Groups()

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
            return await asyncio.wrap_future(self._groups.submit(pool, self.processes, data, settings))
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


@dataclass
class _Waiting:
    data: bytes
    settings: Settings
    pool: Executor
    future: Future = field(default_factory=Future)

    def joins(self, other: _Waiting) -> bool:
        """Whether the two can be stored together: the same installation and the same children."""
        return self.settings is other.settings and self.pool is other.pool


class _Groups:
    """Reports waiting for a child, sent to it in groups by up to one sender thread per child.

    A thread, not a task: requests may come from several event loops (a test client's), and a
    ``concurrent.futures.Future`` hands its result to whichever loop awaits it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._waiting: list[_Waiting] = []
        self._senders = 0

    def submit(self, pool: Executor, senders: int, data: bytes, settings: Settings) -> Future:
        waiting = _Waiting(data, settings, pool)
        with self._lock:
            self._waiting.append(waiting)
            self._arrived.notify_all()
            start = self._senders < senders
            if start:
                self._senders += 1
        if start:
            threading.Thread(target=self._send, name="ingest-sender", daemon=True).start()
        return waiting.future

    def _next_group(self, previous: int) -> list[_Waiting]:
        """The first reports waiting that can be stored together (up to ``GROUP_REPORTS``), or
        none: then this sender stops (under the lock, so a report added meanwhile starts another).

        The clients of the ``previous`` group, just answered, are likely sending their next
        reports: wait up to ``GROUP_WAIT_S`` for as many to join those already waiting (else
        groups settle into halves, such as one report and three, and most of the gain is lost)."""
        with self._lock:
            deadline = time.monotonic() + GROUP_WAIT_S
            expected = min(previous + len(self._waiting), GROUP_REPORTS)
            while len(self._waiting) < expected and (left := deadline - time.monotonic()) > 0:
                self._arrived.wait(left)
            group = list(itertools.takewhile(lambda w: w.joins(self._waiting[0]), self._waiting[:GROUP_REPORTS]))
            del self._waiting[:len(group)]
            if not group:
                self._senders -= 1
            return group

    def _send(self) -> None:
        group: list[_Waiting] = []
        while group := self._next_group(len(group)):
            first = group[0]
            try:
                outcomes = first.pool.submit(parse_and_store_group, [w.data for w in group], first.settings).result()
            except BaseException as exc:  # the pool broke or was shut down: each report of the group learns it
                outcomes = [exc] * len(group)
            for waiting, outcome in zip(group, outcomes, strict=True):
                if not waiting.future.set_running_or_notify_cancel():
                    continue  # its request went away
                if isinstance(outcome, BaseException):
                    waiting.future.set_exception(outcome)
                else:
                    waiting.future.set_result(outcome)
