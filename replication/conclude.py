"""From per-seed scores to the verdict: degenerate tasks left out, effect, reason, caveats."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from replication.aggregate import coverage_caveat
from replication.degenerate import find_degenerate
from replication.inputs import BENCHMARK, TargetData
from replication.result import DegenerateFinding, EffectEstimate, SeedResult, Verdict
from replication.spec import ReplicationSpec
from replication.tasks import get_benchmark
from replication.verdict import decide, estimate_effect, settle_hint


@dataclass
class Conclusion:
    effect: EffectEstimate | None
    verdict: Verdict
    reason: str
    degenerate: list[DegenerateFinding] = field(default_factory=list)
    excluded_tasks: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)


def claimed_tasks(metric: str, ran: list[str]) -> list[str]:
    """The run's tasks the claimed metric averages (``overall.*``) or reads (``tasks.T.*``)."""
    parts = metric.split(".")
    if parts[0] == "tasks":
        return [parts[1]] if parts[1] in ran else []
    bench = get_benchmark(BENCHMARK)
    wanted = bench.task_names if parts[1] == "all_task" else bench.categories().get(parts[1], ())
    return [name for name in wanted if name in ran]


def conclude(spec: ReplicationSpec, targets: list[TargetData], seeds: list[SeedResult], arms: list[str]) -> Conclusion:
    """The verdict of `replication.verdict` on the tasks where both arms learnt something."""
    findings = find_degenerate(targets, seeds)
    ran = [t.task.name for t in targets]
    excluded = [name for name in ran if any(f.task == name for f in findings)]
    caveats = list(spec.notes)
    for name in excluded:
        first = next(f for f in findings if f.task == name)
        caveats.append(f"{name} left out of the verdict: {first.reason}")
    claim = spec.claimed_effect
    if claim is None:
        return Conclusion(None, "inconclusive", "the spec states no claimed effect to test", findings, excluded, caveats)
    coverage = coverage_caveat(claim.metric, targets)
    if coverage:
        caveats.append(coverage)
    if "treatment" not in arms:
        return Conclusion(None, "inconclusive", "no intermediate task: there is no treatment to compare with the baseline",
                          findings, excluded, caveats)

    needed = claimed_tasks(claim.metric, ran)
    left_out = [name for name in needed if name in excluded]
    if claim.metric.startswith("tasks.") and left_out:
        return Conclusion(None, "inconclusive", f"the claimed metric {claim.metric} is on a degenerate task: "
                          + _first_reason(findings, left_out[0]), findings, excluded, caveats)
    metric = claim.metric
    if left_out:
        kept = [name for name in needed if name not in excluded]
        if not kept:
            return Conclusion(None, "inconclusive", f"every task of {claim.metric} is degenerate in some arm "
                              f"({', '.join(left_out)}); nothing is left to measure", findings, excluded, caveats)
        deltas = [_mean_over(s, "treatment", kept) - _mean_over(s, "baseline", kept) for s in seeds]
        metric = f"{claim.metric} without {', '.join(left_out)}"
    else:
        if any(s.delta is None for s in seeds):
            return Conclusion(None, "inconclusive", f"metric {claim.metric!r} is not available from the scores "
                              "(e.g. a category without tasks)", findings, excluded, caveats)
        deltas = [float(s.delta) for s in seeds]  # type: ignore[arg-type]

    effect = estimate_effect(deltas, metric, claim.delta, claim.tolerance, claim.confidence)
    verdict, reason = decide(effect)
    flat = [f for f in findings if f.task == "intermediate"]
    if flat:
        return Conclusion(effect, "inconclusive", f"the intermediate phase learnt nothing ({flat[0].reason}), so the "
                          f"treatment is no treatment (the deltas alone: {reason}); fix the intermediate training first",
                          findings, excluded, caveats)
    if verdict == "inconclusive":
        reason = f"{reason}; {settle_hint(effect)}"
    return Conclusion(effect, verdict, reason, findings, excluded, caveats)


def _mean_over(seed: SeedResult, arm: str, tasks: list[str]) -> float:
    return float(np.mean([seed.arms[arm].tasks[t]["avg_metric"] for t in tasks]))


def _first_reason(findings: list[DegenerateFinding], task: str) -> str:
    return next(f.reason for f in findings if f.task == task)
