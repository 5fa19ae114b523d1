"""Presets for derived specs: the published recipe unchanged, or a CPU-sized run on real data."""

from __future__ import annotations

import pytest

from replication.claims import derive_spec
from replication.presets import CPU_MAX_STEPS, CPU_MODEL, apply_preset
from replication.spec import ReplicationSpec

MULTI_TASK = "Multi-task intermediate-task training on all 9 tasks performs best, improving by 8.7 points."


def test_published_is_the_derived_spec() -> None:
    spec = derive_spec(MULTI_TASK)
    assert apply_preset(spec, "published") == spec


def test_cpu_keeps_the_comparison_on_a_small_model_few_tasks_languages_and_steps() -> None:
    spec = apply_preset(derive_spec(MULTI_TASK), "cpu")
    assert spec.model == CPU_MODEL and spec.device == "cpu"
    assert [(t.task, t.languages) for t in spec.targets] == [
        ("xnli", ["en", "de", "es"]), ("panx", ["en", "de", "es"]), ("tatoeba", ["de", "es"])
    ]
    assert spec.hyperparams.max_steps == CPU_MAX_STEPS and spec.hyperparams.max_length == 128
    assert len(spec.intermediate.tasks) == 9 and spec.claimed_effect.delta == 8.7
    assert "not the published recipe" in spec.notes[-1]
    ReplicationSpec.model_validate(spec.to_dict())  # still a valid spec


def test_cpu_keeps_the_task_a_task_metric_names() -> None:
    spec = apply_preset(derive_spec("Intermediate training on QQP hurts TyDiQA, dropping F1 by 1.5 points."), "cpu")
    assert [t.task for t in spec.targets] == ["tydiqa"] and spec.claimed_effect.metric == "tasks.tydiqa.avg_metric"


def test_an_unknown_preset_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown replication preset 'gpu'"):
        apply_preset(derive_spec(MULTI_TASK), "gpu")
