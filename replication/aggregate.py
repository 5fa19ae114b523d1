"""Seed means, paired deltas and per-task effects of an experiment's scores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from replication.inputs import BENCHMARK, PipelineError, TargetData
from replication.result import ArmScores, SeedResult, TaskEffect
from replication.scoring import score_folders
from replication.tasks import get_benchmark
from replication.verdict import t_interval


def metric_value(scores: ArmScores, path: str) -> float | None:
    """Follow a dotted path (``overall.all_task``, ``tasks.xnli.avg_metric``, ``tasks.panx.f1.de``)."""
    node: Any = {"overall": scores.overall, "tasks": scores.tasks}
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return float(node) if isinstance(node, (int, float)) else None


def score_predictions(pred_dir: Path, labels_dir: Path, targets: list[TargetData]) -> ArmScores:
    """Official scores of the run's targets on their evaluated languages (`score_folders`
    limited to them); scope ``subset`` unless the run covers the whole benchmark."""
    scored = score_folders(pred_dir, labels_dir, BENCHMARK, tasks={t.task.name: t.languages for t in targets})
    if scored["missing_tasks"]:
        raise PipelineError(f"{pred_dir}: no predictions for {', '.join(scored['missing_tasks'])}")
    return ArmScores(overall=scored["overall"], tasks=scored["tasks"], scope=scored["scope"])


def coverage_caveat(metric: str, targets: list[TargetData]) -> str | None:
    """Why the claimed metric, as this run measures it, is not the benchmark's number
    the claim refers to (a subset of tasks or languages); ``None`` when it is."""
    bench = get_benchmark(BENCHMARK)
    ran = {t.task.name: set(t.languages) for t in targets}
    parts = metric.split(".")
    if parts[0] == "overall":
        wanted = bench.task_names if parts[1] == "all_task" else bench.categories().get(parts[1], ())
    elif parts[0] == "tasks" and len(parts) <= 3:  # a task average, not one language's score
        wanted = (parts[1],)
    else:
        return None
    absent = [name for name in wanted if name not in ran]
    partial = [name for name in wanted if name in ran and ran[name] != set(bench.task(name).languages)]
    if not absent and not partial:
        return None
    what = []
    if absent:
        what.append(f"tasks {', '.join(absent)} not run")
    if partial:
        what.append(f"only some languages of {', '.join(partial)}")
    return (
        f"{metric} here averages the run's subset of {bench.name} ({'; '.join(what)}), "
        "so the measured delta is not the benchmark figure the claim states"
    )


def mean_overall(per_seed: list[dict[str, float | None]]) -> dict[str, float | None]:
    return {
        key: None if any(o[key] is None for o in per_seed) else float(np.mean([o[key] for o in per_seed]))
        for key in per_seed[0]
    }


def paired_deltas(scores: dict[str, dict[str, dict[str, Any]]], overall: dict[str, dict[str, float | None]]) -> dict[str, dict[str, Any]]:
    """Treatment − baseline of the seed means (equal to the mean of the paired deltas)."""
    base, treat = scores["baseline"], scores["treatment"]
    out: dict[str, dict[str, Any]] = {}
    for task, entry in base.items():
        out[task] = {
            key: {lang: treat[task][key][lang] - v for lang, v in value.items()}
            if isinstance(value, dict)
            else treat[task][key] - value
            for key, value in entry.items()
        }
    b, t = overall["baseline"], overall["treatment"]
    out["overall"] = {key: None if b[key] is None or t[key] is None else t[key] - b[key] for key in b}
    return out


def mean_scores(seeds: list[SeedResult], arms: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for arm in arms:
        per_task: dict[str, dict[str, Any]] = {}
        for task in seeds[0].arms[arm].tasks:
            entry: dict[str, Any] = {}
            for key, value in seeds[0].arms[arm].tasks[task].items():
                if isinstance(value, dict):
                    entry[key] = {lang: float(np.mean([s.arms[arm].tasks[task][key][lang] for s in seeds])) for lang in value}
                else:
                    entry[key] = float(np.mean([s.arms[arm].tasks[task][key] for s in seeds]))
            per_task[task] = entry
        out[arm] = per_task
    return out


def task_effects(seeds: list[SeedResult], confidence: float, excluded: set[str]) -> dict[str, TaskEffect]:
    """Per target: paired deltas of ``avg_metric`` over seeds with their t interval."""
    if any("treatment" not in s.arms for s in seeds):
        return {}
    out: dict[str, TaskEffect] = {}
    for task in seeds[0].arms["baseline"].tasks:
        deltas = [
            float(s.arms["treatment"].tasks[task]["avg_metric"] - s.arms["baseline"].tasks[task]["avg_metric"])
            for s in seeds
        ]
        mean, std, lo, hi = t_interval(deltas, confidence)
        out[task] = TaskEffect(deltas=deltas, mean=mean, std=std, ci_low=lo, ci_high=hi,
                               n_seeds=len(deltas), included=task not in excluded)
    return out
