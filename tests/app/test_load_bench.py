"""bench/load.py runs end to end on a small database and prints its figures (not a timed test)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL, ROOT


def run_bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load.py"), "--mentions", "1000", "--clients", "2", "--writers", "1",
         "--seconds", "3", "--slice", "0.5", "--cli-reports", "3", "--json", *args],
        capture_output=True, text=True, timeout=300, cwd=ROOT)


def check_figures(done: subprocess.CompletedProcess[str], db: str) -> None:
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for route in ("claims page", "claims by verdict", "claims by report", "text search", "claim detail",
                  "report audit", "ingest (POST report)"):
        assert route in out
    assert "claims listing vs bare endpoint" in out and "claimtrace ingest of 3 files" in out
    figures = json.loads(out.strip().splitlines()[-1])
    assert figures["db"] == db and figures["mentions"] == 1000
    assert "slowest: " in out
    for target in ("mixed", "list", "bare"):
        part = figures["targets"][target]
        assert part["requests_per_s"] > 0
        assert part["errors"] == 0, part["error_samples"]
        # The slowest requests, slowest first, each with when it started: the tail's origin.
        slowest = [r["ms"] for r in part["slowest"]]
        assert slowest and slowest == sorted(slowest, reverse=True)
        assert slowest[0] >= max(r["p99_ms"] for r in part["routes"].values())
        assert all(0 <= r["at_s"] <= 60 and r["route"] in part["routes"] and r["path"].startswith("/api/")
                   for r in part["slowest"])
    assert figures["cli_ingest_reports_per_s"] > 0


def test_load_bench_on_sqlite() -> None:
    check_figures(run_bench("--db", "sqlite"), "sqlite")


@pytest.mark.slow
def test_load_bench_on_postgresql() -> None:
    try:
        with create_engine(PG_URL).connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001
        pytest.skip("PostgreSQL is not reachable")
    check_figures(run_bench("--db", "postgresql", "--postgres-url", PG_URL), "postgresql")
