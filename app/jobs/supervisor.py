"""The worker: claims queued jobs into free slots per kind and runs each attempt as its own
process through an executor; watches them every tick, whether busy or idle.

Each tick: attempts whose process ended without recording an end are re-queued (attempt
counted) or failed with the reason; attempts whose job was cancelled (or taken over) are
stopped (SIGTERM to the process group, SIGKILL after ``JOB_CANCEL_GRACE_S``); jobs of any
worker silent for ``JOB_HEARTBEAT_TIMEOUT_S`` are recovered; then free slots are filled.
"""

from __future__ import annotations

import logging
import socket
import os
import threading
import time

from sqlalchemy import select

from app.db import session_scope
from app.jobs import queue
from app.jobs.executors import Attempt, Executor, make_executor
from app.jobs.joblog import append_log, one_line_error
from app.models import Job
from app.services.replicate import JOB_KIND as REPLICATE_JOB
from app.services.sources import FETCH_JOB
from app.services.verify import JOB_KIND as VERIFY_JOB
from app.settings import Settings

log = logging.getLogger(__name__)


def slots_of(settings: Settings) -> dict[str, int]:
    """How many jobs of each kind one worker runs at once."""
    return {FETCH_JOB: settings.worker_slots_fetch, VERIFY_JOB: settings.worker_slots_verify,
            REPLICATE_JOB: settings.worker_slots_replicate}


class Supervisor:
    def __init__(self, settings: Settings, executor: Executor | None = None, *,
                 slots: dict[str, int] | None = None) -> None:
        self.settings = settings
        self.executor = executor or make_executor(settings)
        self.slots = slots or slots_of(settings)
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.running: dict[int, Attempt] = {}
        self.started = 0
        self.last_beat = 0.0

    # one tick ------------------------------------------------------------------------------

    def tick(self, *, claim: bool = True) -> None:
        self.collect_ended()
        self.enforce_cancellations()
        self.beat_for_live_children()
        with session_scope(self.settings) as session:
            for job_id, status in queue.recover_stale(session, self.settings.job_heartbeat_timeout_s,
                                                      self.settings.job_max_attempts).items():
                log.warning("job %s had no heartbeat for %.0f s: %s", job_id,
                            self.settings.job_heartbeat_timeout_s, status)
        if claim:
            self.fill_slots()

    def collect_ended(self) -> None:
        for job_id, run in list(self.running.items()):
            how = self.executor.ended(run)
            if how is None:
                continue
            del self.running[job_id]
            with session_scope(self.settings) as session:
                job = session.get(Job, job_id)
                if job is None or job.status != "running" or job.attempts != run.attempt:
                    continue  # the attempt recorded its end (or the job was cancelled/taken over)
                status = queue.give_up_or_retry(session, job, how, self.settings.job_max_attempts)
            append_log(self.settings, job_id, f"attempt {run.attempt}: {how} before recording an end; "
                                              f"job {status or 'changed meanwhile'}")
            log.warning("job %s attempt %s: %s; %s", job_id, run.attempt, how, status)

    def beat_for_live_children(self) -> None:
        """Heartbeats for attempts whose local process is alive (it may still be importing):
        they stop exactly when this worker dies, and the job's own beats cover the rest."""
        live = [(job_id, run.attempt) for job_id, run in self.running.items()
                if run.process is not None and run.stop_sent_at is None]
        if not live or time.monotonic() - self.last_beat < self.settings.job_heartbeat_s:
            return
        self.last_beat = time.monotonic()
        with session_scope(self.settings) as session:
            for job_id, attempt in live:
                queue.heartbeat(session, job_id, attempt)

    def enforce_cancellations(self) -> None:
        if not self.running:
            return
        with session_scope(self.settings) as session:
            rows = session.execute(select(Job.id, Job.status, Job.attempts).where(Job.id.in_(list(self.running))))
            current = {job_id: (status, attempts) for job_id, status, attempts in rows}
        now = time.monotonic()
        for job_id, run in self.running.items():
            status, attempts = current.get(job_id, ("deleted", None))
            if status == "running" and attempts == run.attempt:
                continue
            if run.stop_sent_at is None:
                append_log(self.settings, job_id, f"attempt {run.attempt}: job is {status}; stopping its processes")
                log.info("job %s is %s: stopping attempt %s", job_id, status, run.attempt)
                run.stop_sent_at = now
                self.executor.stop(run, force=self.settings.job_cancel_grace_s == 0)
            elif now - run.stop_sent_at >= self.settings.job_cancel_grace_s:
                self.executor.stop(run, force=True)

    def free_slots(self) -> dict[str, int]:
        busy: dict[str, int] = {}
        for run in self.running.values():
            busy[run.kind] = busy.get(run.kind, 0) + 1
        return {kind: n - busy.get(kind, 0) for kind, n in self.slots.items() if n - busy.get(kind, 0) > 0}

    def fill_slots(self) -> None:
        for kind, free in self.free_slots().items():
            for _ in range(free):
                with session_scope(self.settings) as session:
                    job = queue.claim_next(session, {kind}, worker=self.name)
                    if job is None:
                        break
                    job_id, attempt, payload = job.id, job.attempts, dict(job.payload)
                try:
                    run = self.executor.start(job_id, attempt, kind, payload)
                except Exception as exc:  # noqa: BLE001 - e.g. the Ray head is unreachable
                    log.exception("could not start job %s", job_id)
                    with session_scope(self.settings) as session:
                        job = session.get(Job, job_id)
                        queue.give_up_or_retry(session, job, f"could not start: {one_line_error(exc, self.settings)}",
                                               self.settings.job_max_attempts)
                    return
                self.started += 1
                self.running[job_id] = run
                with session_scope(self.settings) as session:
                    queue.heartbeat(session, job_id, attempt, external_id=run.external_id,
                                    executor=self.executor.name,
                                    pid=run.process.pid if run.process is not None else None)
                log.info("job %s (%s) attempt %s started as %s", job_id, kind, attempt, run.external_id)

    # loops ---------------------------------------------------------------------------------

    def run(self, stop: threading.Event, *, drain: bool = False) -> int:
        """Tick until ``stop`` is set (or, draining, until nothing is queued or running here);
        returns how many attempts were started."""
        log.info("worker %s started: executor %s, slots %s", self.name, self.executor.name, self.slots)
        while not stop.is_set():
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - e.g. the database is briefly unavailable
                log.exception("worker tick failed")
            if drain and not self.running and not self._queued():
                break
            stop.wait(self.settings.worker_poll_s)
        self.shutdown()
        return self.started

    def _queued(self) -> bool:
        kinds = [kind for kind, n in self.slots.items() if n > 0]
        with session_scope(self.settings) as session:
            return session.scalar(select(Job.id).where(Job.status == "queued", Job.kind.in_(kinds)).limit(1)) is not None

    def shutdown(self) -> None:
        """Stop the attempts still running here and queue their jobs again (not counted)."""
        for run in self.running.values():
            self.executor.stop(run)
        deadline = time.monotonic() + self.settings.job_cancel_grace_s
        while self.running and time.monotonic() < deadline:
            for job_id, run in list(self.running.items()):
                if self.executor.ended(run) is not None:
                    self._requeue_interrupted(job_id, run)
            time.sleep(0.1)
        for job_id, run in list(self.running.items()):
            self.executor.stop(run, force=True)
            self._requeue_interrupted(job_id, run)

    def _requeue_interrupted(self, job_id: int, run: Attempt) -> None:
        del self.running[job_id]
        with session_scope(self.settings) as session:
            job = session.get(Job, job_id)
            if job is not None and job.status == "running" and job.attempts == run.attempt:
                job.status, job.attempts, job.pid, job.worker = "queued", job.attempts - 1, None, None
                job.error = "worker stopped; re-queued"
        append_log(self.settings, job_id, f"attempt {run.attempt}: worker stopped; job re-queued")
