"""Degenerate arms are named: majority class, chance, a score of 0, a loss that never moved."""

from __future__ import annotations

from replication.data import PairExample, TatoebaSplit
from replication.degenerate import find_degenerate
from replication.inputs import TargetData
from replication.result import ArmScores, PhaseSummary, SeedResult
from replication.tasks import get_task

XNLI = TargetData(get_task("xnli"), ["de"], None, None, {"de": [
    PairExample("a", "b", label) for label in ["entailment"] * 60 + ["neutral"] * 20 + ["contradiction"] * 20
]})
TATOEBA = TargetData(get_task("tatoeba"), ["de"], None, None, {"de": TatoebaSplit([f"s{i}" for i in range(50)], [f"t{i}" for i in range(50)])})
BUCC = TargetData(get_task("bucc2018"), ["de"], None, None, {})


def seed(arms: dict[str, dict[str, float]], phases: list[PhaseSummary] | None = None) -> SeedResult:
    return SeedResult(seed=1, arms={arm: ArmScores(overall={}, tasks={t: {"avg_metric": v} for t, v in tasks.items()}, scope="subset")
                                   for arm, tasks in arms.items()}, phases=phases or [])


def phase(name: str, first: float, last: float) -> PhaseSummary:
    return PhaseSummary(phase=name, steps=100, first_loss=first, last_loss=last, best_dev_score=None, best_step=None,
                        stopped_early=False, tokens_per_second=1.0)


def test_each_kind_of_degenerate_arm_is_named() -> None:
    result = seed(
        {"baseline": {"xnli": 61.0, "tatoeba": 3.0, "bucc2018": 0.0}, "treatment": {"xnli": 85.0, "tatoeba": 40.0, "bucc2018": 35.0}},
        [phase("seed 1 · baseline · xnli", 1.0986, 1.0901), phase("seed 1 · treatment · xnli", 1.10, 0.40),
         phase("seed 1 · treatment · intermediate", 1.39, 1.38)],
    )
    found = {(f.task, f.arm, f.kind): f.reason for f in find_degenerate([XNLI, TATOEBA, BUCC], [result])}
    assert set(found) == {
        ("xnli", "baseline", "majority_class"), ("tatoeba", "baseline", "chance"), ("bucc2018", "baseline", "zero_score"),
        ("xnli", "baseline", "flat_loss"), ("intermediate", "treatment", "flat_loss"),
    }
    assert "the majority class (60.00 %" in found[("xnli", "baseline", "majority_class")]
    assert "never left its start" in found[("intermediate", "treatment", "flat_loss")]


def test_arms_that_learnt_are_not_flagged() -> None:
    result = seed({"baseline": {"xnli": 80.0, "tatoeba": 30.0, "bucc2018": 20.0}, "treatment": {"xnli": 82.0, "tatoeba": 35.0, "bucc2018": 25.0}},
                  [phase("seed 1 · baseline · xnli", 1.1, 0.5)])
    assert find_degenerate([XNLI, TATOEBA, BUCC], [result]) == []
