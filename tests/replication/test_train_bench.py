"""`bench/train_throughput.py` runs end to end and reports every side it claims to compare
(a benchmark, not a timed test: the figures themselves are not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_training_benchmark_prints_both_ratios_for_every_repeat(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "train_throughput.py"), "--steps", "4", "--warmup", "1",
         "--repeats", "3", "--device", "cpu", "--json", str(out)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert figures["repeats"] == 3 and figures["device"] == "cpu"
    for side in ("ours", "trainer_matched", "trainer_defaults"):
        assert figures[f"{side}_tokens_per_s"] > 0
    for side in ("matched", "defaults"):
        ratio = figures[f"ratio_{side}"]
        assert len(ratio["all"]) == 3 and ratio["min"] <= ratio["median"] <= ratio["max"]
    # Every repeat starts with a different loop (rotation), and the summary names both ratios.
    orders = [line.split("(order: ")[1].split(")")[0].split(", ")[0]
              for line in run.stdout.splitlines() if "(order: " in line]
    assert sorted(orders) == ["ours", "trainer_defaults", "trainer_matched"]
    assert "ratio ours/Trainer matched: median" in run.stdout
    assert "ratio ours/Trainer defaults: median" in run.stdout
