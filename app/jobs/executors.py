"""Executors start job attempts as processes and report when they end; they know nothing about
HTTP or the queue. ``local``: a subprocess in its own process group; ``ray``: a Ray Job
(app/jobs/ray_executor.py). Both run the same entrypoint."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pydantic import SecretStr

from app.jobs.entrypoint import PARENT_ENV
from app.jobs.joblog import job_log_path
from app.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def entrypoint_argv(job_id: int, attempt: int) -> list[str]:
    return [sys.executable, "-m", "app.jobs.entrypoint", str(job_id), str(attempt)]


def settings_environ(settings: Settings) -> dict[str, str]:
    """``CLAIMTRACE_*`` variables that give a job process exactly these settings."""
    env: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, list):
            value = json.dumps([str(v) for v in value])
        if value is not None:
            env[f"CLAIMTRACE_{name.upper()}"] = str(value)
    # relative folders mean the same in the job process wherever it starts
    env["CLAIMTRACE_DATA_DIR"] = str(settings.data_dir.resolve())
    env["CLAIMTRACE_XTREME_DATA_DIR"] = str(settings.xtreme_data_dir.resolve())
    env["CLAIMTRACE_DATABASE_URL"] = settings.sqlalchemy_url
    return env


def thread_environ(settings: Settings) -> dict[str, str]:
    threads = str(settings.job_cpu_threads)
    return {"OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads,
            "TOKENIZERS_PARALLELISM": "false"}


@dataclass
class Attempt:
    """A started attempt of a job, as its executor tracks it."""

    job_id: int
    attempt: int
    kind: str
    external_id: str
    process: subprocess.Popen | None = None
    stop_sent_at: float | None = None
    extra: dict = field(default_factory=dict)


class Executor(Protocol):
    name: str

    def start(self, job_id: int, attempt: int, kind: str, spec: dict) -> Attempt: ...

    def ended(self, run: Attempt) -> str | None:
        """None while running; else how it ended ("exit code 0", "killed by SIGKILL", ...)."""

    def stop(self, run: Attempt, *, force: bool = False) -> None: ...


class LocalExecutor:
    """Each attempt a child process in its own process group (killed as a group)."""

    name = "local"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("CLAIMTRACE_")},
                    **settings_environ(settings), **thread_environ(settings), PARENT_ENV: str(os.getpid())}

    def start(self, job_id: int, attempt: int, kind: str, spec: dict) -> Attempt:
        log_path = job_log_path(self.settings, job_id)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log:
            process = subprocess.Popen(entrypoint_argv(job_id, attempt), cwd=PROJECT_ROOT, env=self.env,
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        return Attempt(job_id, attempt, kind, str(process.pid), process=process)

    def ended(self, run: Attempt) -> str | None:
        assert run.process is not None
        code = run.process.poll()
        if code is None:
            return None
        if code < 0:
            return f"job process killed by {signal.Signals(-code).name}"
        return f"job process exited with code {code}"

    def stop(self, run: Attempt, *, force: bool = False) -> None:
        assert run.process is not None
        try:
            os.killpg(run.process.pid, signal.SIGKILL if force else signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass


def make_executor(settings: Settings) -> Executor:
    if settings.executor == "ray":
        from app.jobs.ray_executor import RayExecutor

        return RayExecutor(settings)
    return LocalExecutor(settings)
