"""`claimtrace xtreme-score` as a real subprocess."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MOCK = ROOT / "tests" / "fixtures" / "xtreme-mock"
CLAIMTRACE = Path(sys.executable).with_name("claimtrace")

pytestmark = pytest.mark.skipif(not CLAIMTRACE.exists(), reason="claimtrace entry point not installed")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLAIMTRACE), "xtreme-score", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_json_output_reproduces_expected_scores():
    proc = run("--predictions", str(MOCK / "predictions"), "--labels", str(MOCK / "labels"), "--json")
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    expected = json.loads((MOCK / "expected-scores.json").read_text())
    for key, value in expected["overall"].items():
        assert got["overall"][key] == pytest.approx(value, abs=1e-6)
    for task, scores in expected["tasks"].items():
        for key, value in scores.items():
            assert got["tasks"][task][key] == pytest.approx(value, abs=1e-6)
    assert got["missing_tasks"] == []


def test_table_output_and_error_exit(tmp_path):
    proc = run("--predictions", str(MOCK / "predictions"), "--labels", str(MOCK / "labels"))
    assert proc.returncode == 0, proc.stderr
    assert "overall" in proc.stdout and "62.19" in proc.stdout

    preds = tmp_path / "predictions"
    shutil.copytree(MOCK / "predictions", preds)
    (preds / "tydiqa" / "test-ko.json").write_text("{oops")
    proc = run("--predictions", str(preds), "--labels", str(MOCK / "labels"))
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ") and "tydiqa/test-ko.json:1: invalid JSON" in proc.stderr


def test_nothing_scored_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    proc = run("--predictions", str(tmp_path / "empty"), "--labels", str(MOCK / "labels"))
    assert proc.returncode == 1
    assert "error: no task could be scored" in proc.stderr and str(tmp_path / "empty") in proc.stderr
