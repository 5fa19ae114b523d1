"""Each job's log file: DATA_DIR/jobs/job-N.log, appended to by every attempt.

The job process writes its stdout and stderr here (tracebacks included); the API serves it
by byte offset (``GET /api/jobs/{id}/logs``), never a path the request names.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from app.paths import redact_paths
from app.settings import Settings

MAX_LOG_READ_BYTES = 1_000_000


def job_log_path(settings: Settings, job_id: int) -> Path:
    """Where job ``job_id`` logs; derived from the id only."""
    return (settings.data_dir / "jobs" / f"job-{int(job_id)}.log").resolve()


def job_run_dir(settings: Settings, job_id: int) -> Path:
    """The stable working folder of a job: every attempt uses the same one (checkpoints)."""
    return (settings.data_dir / "runs" / f"job-{int(job_id)}").resolve()


def append_log(settings: Settings, job_id: int, message: str) -> None:
    """Append a time-stamped line (or block) to the job's log."""
    path = job_log_path(settings, job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"{stamp} {message.rstrip()}\n")


def one_line_error(exc: BaseException, settings: Settings, limit: int = 500) -> str:
    """A readable one-line reason for the API: exception type and first line of its message,
    configured folders named by their setting, other absolute server paths shortened to their
    last part (the full text is in the job log)."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    message = redact_paths(message, settings)
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return text[:limit]


@dataclass(frozen=True, slots=True)
class LogChunk:
    text: str
    offset: int
    next_offset: int
    size: int


def read_job_log(settings: Settings, job_id: int, *, offset: int | None = None, tail: int | None = None,
                 max_bytes: int = MAX_LOG_READ_BYTES) -> LogChunk:
    """Read a job's log from byte ``offset`` (or its last ``tail`` bytes), at most ``max_bytes``.

    ``next_offset`` is where the next read continues (follow a running job with it). A job that
    has not logged yet reads as empty.
    """
    path = job_log_path(settings, job_id)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return LogChunk("", 0, 0, 0)
    start = max(0, size - tail) if tail is not None else min(max(0, offset or 0), size)
    length = min(max_bytes, size - start)
    with path.open("rb") as handle:
        handle.seek(start)
        data = handle.read(length)
    return LogChunk(data.decode("utf-8", errors="replace"), start, start + len(data), size)
