"""The shape of a replication's result: per-seed scores, per-task effects, the verdict."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Verdict = Literal["replicated", "not_replicated", "inconclusive"]


class ArmScores(BaseModel):
    """What the scorer returned for one arm and seed (``tasks`` as `score_task` gives them)."""

    overall: dict[str, float | None]
    tasks: dict[str, dict[str, Any]]
    scope: Literal["benchmark", "subset"]


class PhaseSummary(BaseModel):
    """One training phase; losses are means over its first and last fifth of steps."""

    phase: str
    steps: int
    first_loss: float | None
    last_loss: float | None
    best_dev_score: float | None
    best_step: int | None
    stopped_early: bool
    tokens_per_second: float


class SeedResult(BaseModel):
    seed: int
    arms: dict[str, ArmScores]
    metric: dict[str, float | None] = Field(default_factory=dict, description="claimed metric per arm")
    delta: float | None = None
    phases: list[PhaseSummary] = Field(default_factory=list)


class EffectEstimate(BaseModel):
    """The paired per-seed deltas of the claimed metric and their interval."""

    metric: str
    claimed_delta: float
    tolerance: float
    confidence: float
    deltas: list[float]
    n_seeds: int
    mean: float
    std: float | None
    ci_low: float | None
    ci_high: float | None
    method: str
    seeds_to_settle: int | None = None
    """Seeds that would likely settle an inconclusive verdict, given the observed spread
    (``None``: settled already, no spread to go on, or more than any sensible run)."""


class TaskEffect(BaseModel):
    """One target's paired deltas (treatment − baseline of its ``avg_metric``) over seeds."""

    deltas: list[float]
    mean: float
    std: float | None
    ci_low: float | None
    ci_high: float | None
    n_seeds: int
    included: bool = True
    """False when the task is degenerate in some arm and left out of the verdict."""


class DegenerateFinding(BaseModel):
    """An arm that learnt nothing measurable on a task in one seed, and why."""

    task: str
    arm: str
    seed: int
    kind: Literal["majority_class", "chance", "flat_loss", "zero_score"]
    reason: str


class ReplicationResult(BaseModel):
    name: str
    spec: dict[str, Any]
    seeds: list[SeedResult]
    scores: dict[str, dict[str, dict[str, Any]]]
    """arm → task → metric → language → mean over seeds (plus ``avg_metric``)."""
    overall: dict[str, dict[str, float | None]] = Field(default_factory=dict)
    """arm → ``all_task`` / category → mean over seeds (``None`` where not computed)."""
    deltas: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """task → metric → language → mean paired delta (treatment − baseline) over seeds, with
    the ``avg_*`` keys; ``overall`` → ``all_task`` / category. Empty without a treatment."""
    scope: Literal["benchmark", "subset"] = "benchmark"
    """``subset``: only some XTREME tasks or languages were run; ``overall`` scores average
    those, so they are not the benchmark's numbers."""
    task_effects: dict[str, TaskEffect] = Field(default_factory=dict)
    effect: EffectEstimate | None
    verdict: Verdict
    verdict_reason: str
    verdict_rule: str
    degenerate: list[DegenerateFinding] = Field(default_factory=list)
    excluded_tasks: list[str] = Field(default_factory=list)
    caveats: list[str] = Field(default_factory=list)
    duration_s: float
    out_dir: str
