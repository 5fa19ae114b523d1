"""Worker processes beside the API: ``claimtrace serve``/``up`` start N ``claimtrace worker``
processes and start a new one when one dies (a job never runs in the API process)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time

from app.jobs.executors import PROJECT_ROOT, settings_environ
from app.settings import Settings

log = logging.getLogger(__name__)
RESTART_BACKOFF_S = (1.0, 2.0, 5.0, 10.0, 30.0)


class WorkerPool:
    def __init__(self, settings: Settings, count: int) -> None:
        self.settings, self.count = settings, count
        self.processes: list[subprocess.Popen | None] = [None] * count
        self.failures = [0] * count
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="worker-pool", daemon=True)
        self.env = {**os.environ, **settings_environ(settings)}

    def _spawn(self, index: int) -> None:
        self.processes[index] = subprocess.Popen([sys.executable, "-m", "app.cli", "worker"], cwd=PROJECT_ROOT,
                                                 env=self.env, stdin=subprocess.DEVNULL)
        log.info("worker process %d started (pid %d)", index + 1, self.processes[index].pid)

    def start(self) -> None:
        for index in range(self.count):
            self._spawn(index)
        self.thread.start()

    def _watch(self) -> None:
        while not self.stopping.wait(0.5):
            for index, process in enumerate(self.processes):
                if process is None or process.poll() is None:
                    continue
                delay = RESTART_BACKOFF_S[min(self.failures[index], len(RESTART_BACKOFF_S) - 1)]
                log.warning("worker process %d (pid %d) exited with %s; restarting in %.0f s",
                            index + 1, process.pid, process.returncode, delay)
                self.failures[index] += 1
                if self.stopping.wait(delay):
                    return
                self._spawn(index)

    def stop(self, timeout_s: float = 30.0) -> None:
        """SIGTERM every worker (each re-queues what it runs), then wait; SIGKILL stragglers."""
        self.stopping.set()
        for process in self.processes:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for process in self.processes:
            if process is None:
                continue
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
