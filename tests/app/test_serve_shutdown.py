"""`claimtrace serve` stops its job workers when it is stopped (SIGTERM as a service manager
sends, or Ctrl-C), so no worker lives on without the server that supervises it."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.app.workers import _healthy, alive, free_port, wait_for
from tests.conftest import ROOT, settings_env


def started_workers(log: Path) -> list[int]:
    """The pids of the job workers the server's log says it started."""
    return [int(pid) for pid in re.findall(r"worker process \d+ started \(pid (\d+)\)", log.read_text())]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_stopping_serve_stops_its_workers(settings: Settings, tmp_path: Path, stop: signal.Signals) -> None:
    port, log = free_port(), tmp_path / "serve.log"
    with log.open("wb") as handle:
        server = subprocess.Popen([str(Path(sys.executable).parent / "claimtrace"), "serve", "--port", str(port),
                                   "--workers", "2"], cwd=ROOT, env=settings_env(settings),
                                  stdout=handle, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: _healthy(f"http://127.0.0.1:{port}"), 60, f"the server (log: {log})", every=0.2)
        workers = started_workers(log)
        assert len(workers) == 2 and all(alive(pid) for pid in workers), log.read_text()[-2000:]
        server.send_signal(stop)
        server.wait(timeout=60)
        wait_for(lambda: not any(alive(pid) for pid in workers), 30, "the workers to stop with the server")
    finally:
        if server.poll() is None:
            server.kill()
        for pid in started_workers(log):
            if alive(pid):
                psutil.Process(pid).kill()  # never leave one behind, even when the test fails


def test_the_shutdown_hooks_run_even_when_stopping_ingestion_fails(settings: Settings) -> None:
    app = create_app(settings)
    stopped: list[str] = []

    def close_fails() -> None:
        raise RuntimeError("the ingestion pool would not shut down")

    app.state.ingestor.close = close_fails
    app.state.shutdown_hooks.append(lambda: stopped.append("workers"))
    with pytest.raises(RuntimeError, match="would not shut down"), TestClient(app):
        pass
    assert stopped == ["workers"]
