"""One job attempt as its own process: ``python -m app.jobs.entrypoint JOB_ID ATTEMPT``.

Started by a worker (local executor: its own process group) or by Ray Jobs. Settings come
from the environment. A thread sends heartbeats every ``JOB_HEARTBEAT_S`` in every phase of
the job; when the job was cancelled or re-queued meanwhile, or the worker that started it
died, the process group kills itself.
"""

from __future__ import annotations

import ctypes
import logging
import os
import resource
import signal
import sys
import threading

from sqlalchemy import select

from app.db import session_scope
from app.jobs import queue
from app.jobs.joblog import append_log
from app.models import Job
from app.settings import Settings, get_settings

PARENT_ENV = "CLAIMTRACE_JOB_PARENT_PID"
PR_SET_PDEATHSIG = 1
log = logging.getLogger("app.jobs.entrypoint")


def die_with_parent(parent_pid: int | None) -> None:
    """Have the kernel kill this process when its worker dies (Linux), and check it still lives."""
    if parent_pid is None:
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the heartbeat thread checks the parent instead
        pass
    if os.getppid() != parent_pid:
        kill_own_group("the worker that started this job is gone")


def kill_own_group(reason: str) -> None:
    log.warning("stopping: %s", reason)
    sys.stderr.flush()
    if os.getpgrp() == os.getpid():
        os.killpg(os.getpgrp(), signal.SIGKILL)  # with any children (data loaders, tools)
    os._exit(3)


def apply_limits(settings: Settings) -> None:
    """Resource limits from settings (never from the request)."""
    if settings.job_memory_mb:
        limit = settings.job_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    threads = str(settings.job_cpu_threads)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TOKENIZERS_PARALLELISM"):
        os.environ.setdefault(name, threads if name != "TOKENIZERS_PARALLELISM" else "false")


def heartbeat_loop(settings: Settings, job_id: int, attempt: int, parent_pid: int | None,
                   stop: threading.Event) -> None:
    while not stop.wait(settings.job_heartbeat_s):
        if parent_pid is not None and os.getppid() != parent_pid:
            kill_own_group("the worker that started this job is gone")
        try:
            with session_scope(settings) as session:
                if queue.heartbeat(session, job_id, attempt):
                    continue
                status = session.scalar(select(Job.status).where(Job.id == job_id))
                attempts = session.scalar(select(Job.attempts).where(Job.id == job_id))
        except Exception:  # noqa: BLE001 - the database is briefly away: try again next beat
            log.warning("heartbeat failed", exc_info=True)
            continue
        if stop.is_set() or (status in ("succeeded", "failed") and attempts == attempt):
            return  # this attempt recorded its own end
        kill_own_group(f"job {job_id} is {status} (attempt {attempts}); attempt {attempt} stops")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not all(a.isdigit() for a in argv):
        print("usage: python -m app.jobs.entrypoint JOB_ID ATTEMPT", file=sys.stderr)
        return 2
    job_id, attempt = int(argv[0]), int(argv[1])
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parent = int(os.environ[PARENT_ENV]) if os.environ.get(PARENT_ENV, "").isdigit() else None
    die_with_parent(parent)
    settings = get_settings()
    apply_limits(settings)
    from app.jobs.runner import run_job  # after the limits: handlers import heavy libraries

    stop = threading.Event()
    beats = threading.Thread(target=heartbeat_loop, args=(settings, job_id, attempt, parent, stop),
                             name="heartbeat", daemon=True)
    beats.start()
    try:
        status = run_job(settings, job_id, attempt)
    finally:
        stop.set()
    append_log(settings, job_id, f"attempt {attempt}: process exits ({status or 'not run'})")
    return 0 if status else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
