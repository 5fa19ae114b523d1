"""Helpers for tests that run real worker and server processes (`claimtrace worker`, `claimtrace serve`)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from app.db import session_scope
from app.models import Job
from app.settings import Settings
from tests.conftest import ROOT, settings_env

# Fast clocks so that faults are noticed in seconds, not the production half minute.
FAST_JOBS = {"worker_poll_s": 0.2, "job_heartbeat_s": 0.5, "job_heartbeat_timeout_s": 6.0,
             "job_cancel_grace_s": 2.0, "embedding_model": "none"}


def fast_jobs(settings: Settings, **overrides) -> Settings:
    return settings.model_copy(update={**FAST_JOBS, **overrides})


def start_worker(settings: Settings, log: Path, *args: str) -> subprocess.Popen:
    handle = log.open("ab")
    return subprocess.Popen([sys.executable, "-m", "app.cli", "worker", *args], cwd=ROOT,
                            env=settings_env(settings), stdout=handle, stderr=subprocess.STDOUT)


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(condition: Callable[[], object], timeout: float, what: str, every: float = 0.1):
    """Poll ``condition`` until it is truthy; returns its value. Fails naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def job_row(settings: Settings, job_id: int) -> Job:
    with session_scope(settings) as db:
        return db.get(Job, job_id)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by its worker) counts as gone
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


WORDS = ("intermediate task training improves zero-shot cross-lingual transfer on XTREME XNLI PAWS-X "
         "MLQA TyDiQA BUCC Tatoeba with XLM-R Large by points over the baseline model when fine-tuned").split()


def large_report(claims: int, tag: str = "large") -> bytes:
    """A generated report with ``claims`` distinct claims citing 2005.13013v2."""
    import random

    rows = []
    for c in range(claims):
        words = random.Random(f"{tag}{c}").choices(WORDS, k=16)
        rows.append(f"Claim {tag} {c}: {' '.join(words)} {c % 97}.{c % 10} points.\t✓\t0.{c % 9 + 1}")
    return (f"Generated {tag} report\n\nTest Author\n\nJune 21, 2026\n\nAbstract\n\nText.\n\n"
            f"1 Introduction\n\nResearch question: does {tag} verification survive faults?.\n\n3 Results\n\n"
            f"{claims} claims extracted; {claims} independently verified.\n\n5 Extracted Claims\n\n"
            "Claim\tVerified\tConfidence\n" + "\n".join(rows)
            + "\n\nReferences\n\n- <http://arxiv.org/abs/2005.13013v2>\n").encode()


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(settings: Settings, log: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`claimtrace serve --no-worker` on a free loopback port for the block; yields its base URL
    once /healthz answers 200 (fails naming the log otherwise), then stops the server."""
    port = free_port()
    with log.open("ab") as handle:
        server = subprocess.Popen([str(Path(sys.executable).parent / "claimtrace"), "serve", "--port", str(port),
                                   "--no-worker"], cwd=ROOT, env={**settings_env(settings), **(env or {})},
                                  stdout=handle, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _healthy(base), 60, f"the server at {base} (log: {log})", every=0.2)
        yield base
    finally:
        stop_worker(server)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False
