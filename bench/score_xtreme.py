"""Time `score_folders` on the whole XTREME mock set (median of N runs).

    .venv/bin/python bench/score_xtreme.py [--runs 20] [--predictions DIR --labels DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from replication.scoring import score_folders  # noqa: E402

MOCK = ROOT / "tests" / "fixtures" / "xtreme-mock"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--predictions", type=Path, default=MOCK / "predictions")
    parser.add_argument("--labels", type=Path, default=MOCK / "labels")
    parser.add_argument("--benchmark", default="xtreme")
    args = parser.parse_args()

    start = time.perf_counter()
    result = score_folders(args.predictions, args.labels, args.benchmark)  # cold: includes first imports' caches
    cold = time.perf_counter() - start
    timings = []
    for _ in range(args.runs):
        start = time.perf_counter()
        score_folders(args.predictions, args.labels, args.benchmark)
        timings.append(time.perf_counter() - start)
    print(f"overall={result['overall']['all_task']}")
    print(f"first run: {cold * 1000:.1f} ms")
    print(f"median of {args.runs} runs: {statistics.median(timings) * 1000:.1f} ms "
          f"(min {min(timings) * 1000:.1f}, max {max(timings) * 1000:.1f})")


if __name__ == "__main__":
    main()
