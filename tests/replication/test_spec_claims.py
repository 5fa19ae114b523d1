"""derive_spec: every sample claim with a number gets a spec or a precise reason."""

from __future__ import annotations

import pytest

from replication.claims import derive_spec, derive_specs
from replication.spec import NotReplicableError
from replication.tasks import PAPER_INTERMEDIATE_TASKS, benchmark_tasks

# Claims as the sample reports state them (truncated at 120 characters where the reports are).
MULTI_TASK = "Multi-task intermediate-task training on all 9 tasks performs best, improving by 8.7 points."
THREE_TASKS = (
    "Intermediate-task training on SQuAD, MNLI, and HellaSwag yields large target-task improvements of 8.2, 7.5, "
    "and 7.0 point"
)
BEST_PER_TARGET = (
    "Evaluating the best performing models for each target task on the XTREME benchmark yields an average "
    "improvement of 5.4"
)
RETRIEVAL = (
    "Applying intermediate-task training to BUCC and Tatoeba, the two sentence retrieval target tasks that "
    "have no training d"
)
NINE = "We study the effect of intermediate-task training (STILTs; Phang et al., 2018) with nine different English intermediate"
NO_NUMBER = "TyDiQA shows consistent improvements with many intermediate tasks, whereas XNLI does not see benefits from intermediate"


def test_multi_task_claim_becomes_a_nine_task_spec_on_the_xtreme_average() -> None:
    spec = derive_spec(MULTI_TASK)
    assert spec.intermediate.tasks == list(PAPER_INTERMEDIATE_TASKS)
    assert spec.intermediate.is_multi_task
    assert [t.task for t in spec.targets] == [t.name for t in benchmark_tasks("xtreme")]
    assert spec.claimed_effect is not None
    assert (spec.claimed_effect.metric, spec.claimed_effect.delta) == ("overall.all_task", 8.7)
    assert spec.source_claim == MULTI_TASK
    assert any("XTREME average" in note for note in spec.notes)


def test_paired_effects_are_split_into_one_spec_each() -> None:
    with pytest.raises(NotReplicableError) as err:
        derive_spec(THREE_TASKS)
    assert "several effects" in err.value.reason
    assert "squad_v1 +8.2, mnli +7.5, hellaswag +7" in err.value.reason
    assert "replicate each effect as its own claim" in err.value.reason and "()" not in err.value.reason
    specs = derive_specs(THREE_TASKS)
    assert [(s.intermediate.tasks, s.claimed_effect.delta) for s in specs] == [
        (["squad_v1"], 8.2), (["mnli"], 7.5), (["hellaswag"], 7.0)
    ]
    assert all("truncated" in " ".join(s.notes) for s in specs)
    squad_notes = [[n for n in s.notes if "without a version" in n] for s in specs]
    squad_note = (
        "'SQuAD' without a version read as SQuAD v1.1; the paper also trains on SQuAD v2.0 "
        "(set intermediate.tasks to squad_v2 if that is the run meant)"
    )
    assert squad_notes == [[squad_note], [], []]


@pytest.mark.parametrize(
    ("name", "task"),
    [("SQuAD v1.1", "squad_v1"), ("SQuAD 1.1", "squad_v1"), ("SQuAD 2.0", "squad_v2"), ("SQuAD v2.0", "squad_v2"),
     ("SQuAD v2", "squad_v2"), ("squad_v2", "squad_v2"), ("SQuADv2", "squad_v2")],
)
def test_a_squad_version_picks_that_task_alone(name: str, task: str) -> None:
    spec = derive_spec(f"Intermediate training on {name} improves XTREME by 3.1 points.")
    assert spec.intermediate.tasks == [task]
    assert not any("without a version" in n for n in spec.notes)
    after = derive_spec(f"XTREME improves by 3.1 points after intermediate training on {name}.")
    assert after.intermediate.tasks == [task] and after.claimed_effect.delta == 3.1  # the version is no effect


@pytest.mark.parametrize(
    ("claim", "reason"),
    [
        (BEST_PER_TARGET, "post-hoc selection"),
        (RETRIEVAL, "no quantity: the claim states no effect size to measure (the numbers present count things: 'two')"),
        (NINE, "no quantity"),
        (NO_NUMBER, "no quantity"),
        ("Intermediate training on FooBank improves XNLI by 3 points.", "no intermediate task"),
        ("", "empty claim"),
    ],
)
def test_not_replicable_claims_say_why(claim: str, reason: str) -> None:
    with pytest.raises(NotReplicableError) as err:
        derive_spec(claim)
    assert reason in err.value.reason


def test_a_named_target_sets_the_task_metric_and_a_drop_is_negative() -> None:
    spec = derive_spec("Intermediate training on MNLI improves XNLI accuracy by 2.1 points.")
    assert [t.task for t in spec.targets] == ["xnli"]
    assert spec.claimed_effect.metric == "tasks.xnli.avg_metric" and spec.claimed_effect.delta == 2.1
    assert spec.notes == []
    drop = derive_spec("Intermediate training on QQP hurts TyDiQA, dropping F1 by 1.5 points.")
    assert drop.claimed_effect.delta == -1.5 and drop.intermediate.tasks == ["qqp"]


def test_a_whole_category_uses_the_category_score_and_overrides_apply(tmp_path) -> None:
    spec = derive_spec("Training on SQuAD improves BUCC and Tatoeba by 20.1 points.", data_dir=str(tmp_path), seeds=[5])
    assert spec.claimed_effect.metric == "overall.retrieval"
    assert spec.data_dir == tmp_path and spec.seeds == [5]
