"""Degenerate runs: an arm that learnt nothing measurable on a task.

A paired delta between two arms means little when either arm sits at a trivial score.
For every arm, seed and target this module checks, against the run's own test data:

* ``majority_class`` / ``chance``: accuracy no better than always predicting the most
  frequent gold label, or than guessing (Tatoeba: 1 / number of candidates), within two
  binomial standard errors of that rate;
* ``zero_score``: an F1 (PAN-X, QA, BUCC) at 0 — nothing found;
* ``flat_loss``: a fine-tuning phase whose final loss never left its start (less than
  `FLAT_LOSS_DROP` below it).

The intermediate phase is checked too (task ``intermediate``): a treatment whose
intermediate training learnt nothing is no treatment.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from replication.inputs import TargetData
from replication.result import DegenerateFinding, PhaseSummary, SeedResult
from replication.tasks import TaskFormat

FLAT_LOSS_DROP = 0.02
"""A phase whose last-fifth loss is within 2 % of its first-fifth loss never left its start."""
ZERO_SCORE = 0.5
"""F1 (percent) at or below which a task counts as scoring 0."""
STANDARD_ERRORS = 2.0


def trivial_rate(target: TargetData) -> tuple[str, float, int] | None:
    """``(kind, rate %, n)``: the score of always answering the majority class (or of
    guessing, when that is higher), pooled over the evaluated languages; ``None`` for
    F1-scored tasks, whose trivial score is 0."""
    task, fmt = target.task, target.task.format
    if task.name == "tatoeba":
        sizes = [len(target.test[lang].src) for lang in target.languages]
        return "chance", 100.0 * sum(1 / max(s, 1) for s in sizes) / len(sizes), sum(sizes)
    if fmt is TaskFormat.tagging and task.main_metric == "accuracy":
        labels = [tag for lang in target.languages for sent in target.test[lang] for tag in (sent.labels or [])]
    elif fmt in (TaskFormat.pair_classification, TaskFormat.single_classification, TaskFormat.multiple_choice):
        labels = [ex.label for lang in target.languages for ex in target.test[lang]]
    else:
        return None
    if not labels:
        return None
    majority = 100.0 * Counter(labels).most_common(1)[0][1] / len(labels)
    n_classes = len(task.labels or ()) or task.num_choices or len(set(labels))
    chance = 100.0 / n_classes if n_classes else 0.0
    return ("majority_class", majority, len(labels)) if majority >= chance else ("chance", chance, len(labels))


def _margin(rate: float, n: int) -> float:
    p = rate / 100
    return STANDARD_ERRORS * 100 * math.sqrt(max(p * (1 - p), 1e-12) / max(n, 1))


def find_degenerate(targets: list[TargetData], seeds: list[SeedResult]) -> list[DegenerateFinding]:
    """Every (task, arm, seed) at a trivial score or with a flat loss, with the reason."""
    rates = {t.task.name: trivial_rate(t) for t in targets}
    formats = {t.task.name: t.task for t in targets}
    findings: list[DegenerateFinding] = []
    for seed in seeds:
        for arm, scores in seed.arms.items():
            for name, entry in scores.tasks.items():
                score = entry.get("avg_metric")
                if not isinstance(score, (int, float)):
                    continue
                finding = _score_finding(name, arm, seed.seed, float(score), rates.get(name), formats[name])
                if finding:
                    findings.append(finding)
        findings.extend(_loss_findings(seed.seed, seed.phases))
    return findings


def _score_finding(name: str, arm: str, seed: int, score: float, rate: tuple[str, float, int] | None, task: Any) -> DegenerateFinding | None:
    if rate is not None:
        kind, value, n = rate
        limit = value + _margin(value, n)
        if score <= limit:
            what = "the majority class" if kind == "majority_class" else "chance"
            return DegenerateFinding(
                task=name, arm=arm, seed=seed, kind=kind,  # type: ignore[arg-type]
                reason=f"{name} {arm} seed {seed}: {task.main_metric} {score:.2f} is at {what} "
                       f"({value:.2f} %, within {STANDARD_ERRORS:g} standard errors over {n} test items)",
            )
        return None
    if score <= ZERO_SCORE:
        return DegenerateFinding(task=name, arm=arm, seed=seed, kind="zero_score",
                                 reason=f"{name} {arm} seed {seed}: {task.main_metric} {score:.2f} — nothing found")
    return None


def _loss_findings(seed: int, phases: Iterable[PhaseSummary]) -> list[DegenerateFinding]:
    out = []
    for phase in phases:
        if phase.first_loss is None or phase.last_loss is None or phase.steps < 2:
            continue
        if phase.last_loss >= phase.first_loss * (1 - FLAT_LOSS_DROP):
            arm, task = _phase_parts(phase.phase)
            out.append(DegenerateFinding(
                task=task, arm=arm, seed=seed, kind="flat_loss",
                reason=f"{phase.phase}: loss {phase.first_loss:.4f} → {phase.last_loss:.4f} never left its start",
            ))
    return out


def _phase_parts(label: str) -> tuple[str, str]:
    """``"seed 1 · treatment · xnli"`` → ``("treatment", "xnli")``."""
    parts = [p.strip() for p in label.split("·")]
    return (parts[1], parts[2]) if len(parts) == 3 else ("treatment", label)
