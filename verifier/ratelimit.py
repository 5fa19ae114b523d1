"""A rate limit shared by every thread and process of one installation.

arXiv asks for at most one request every three seconds and a single connection at a time.
The ``arxiv`` package only spaces the requests of one client object, so the limit lives in
the file system instead: a lock file serialises requests across threads and processes, and a
timestamp file records when the last request *finished*. A request starts no earlier than
``min_interval_s`` after the previous one finished, so the gaps the server sees between two
requests are never shorter than the interval, whatever the network latency.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock


class RateLimiter:
    """One request at a time, ``min_interval_s`` apart, for all users of ``state_dir``/``name``."""

    def __init__(
        self,
        state_dir: Path,
        min_interval_s: float,
        *,
        name: str = "arxiv",
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if min_interval_s < 0:
            raise ValueError(f"min_interval_s must be >= 0, got {min_interval_s}")
        state_dir.mkdir(parents=True, exist_ok=True)
        self.min_interval_s = min_interval_s
        self._stamp_path = state_dir / f"{name}.last"
        self._file_lock = FileLock(str(state_dir / f"{name}.lock"))
        # The file lock excludes other processes; this one makes threads queue without polling.
        self._thread_lock = _thread_lock_for(self._stamp_path)
        self._clock = clock
        self._sleep = sleep

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold the single request slot: wait for the interval, run the body, stamp the end."""
        with self._thread_lock, self._file_lock:
            wait = self._read_stamp() + self.min_interval_s - self._clock()
            if wait > 0:
                self._sleep(wait)
            try:
                yield
            finally:
                self._write_stamp(self._clock())

    def _read_stamp(self) -> float:
        try:
            return float(self._stamp_path.read_text(encoding="ascii").strip() or 0.0)
        except (FileNotFoundError, ValueError):
            return 0.0

    def _write_stamp(self, value: float) -> None:
        tmp = self._stamp_path.with_name(f"{self._stamp_path.name}.{os.getpid()}.tmp")
        tmp.write_text(repr(value), encoding="ascii")
        os.replace(tmp, self._stamp_path)


_THREAD_LOCKS: dict[Path, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


def _thread_lock_for(path: Path) -> threading.Lock:
    """One in-process lock per state file, shared by every limiter instance using it."""
    key = path.resolve()
    with _THREAD_LOCKS_GUARD:
        return _THREAD_LOCKS.setdefault(key, threading.Lock())
