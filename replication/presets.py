"""Presets for specs derived from claims: the published recipe, or a run that fits a CPU.

``published`` keeps the derived spec as is (XLM-R Large, every target and language, full
epochs: GPU days). ``cpu`` keeps the claim's comparison but measures it on real XTREME data
small enough for a CPU machine: XLM-R Base, at most `CPU_TASKS` of the claimed targets on
`CPU_LANGUAGES`, capped steps and lengths. Its numbers are not the paper's recipe, and the
spec's notes say so (they become caveats in the result).
"""

from __future__ import annotations

from typing import Literal

from replication.spec import ReplicationSpec, TargetSpec
from replication.tasks import get_task

Preset = Literal["published", "cpu"]
PRESETS: tuple[str, ...] = ("published", "cpu")

CPU_MODEL = "FacebookAI/xlm-roberta-base"
CPU_TASKS = ("xnli", "panx", "tatoeba")
CPU_LANGUAGES = ("en", "de", "es")
CPU_MAX_STEPS = 300


def apply_preset(spec: ReplicationSpec, preset: str) -> ReplicationSpec:
    """``spec`` adapted to ``preset`` (``ValueError`` for an unknown name)."""
    if preset == "published":
        return spec
    if preset != "cpu":
        raise ValueError(f"unknown replication preset {preset!r} (known: {', '.join(PRESETS)})")
    claimed = [t.task for t in spec.targets]
    metric = spec.claimed_effect.metric if spec.claimed_effect else ""
    if metric.startswith("tasks."):
        keep = [metric.split(".")[1]]
    else:
        keep = [name for name in CPU_TASKS if name in claimed] or claimed[:1]
    targets = []
    for name in keep:
        task = get_task(name)
        langs = [lang for lang in CPU_LANGUAGES if lang in task.languages and not (name == "tatoeba" and lang == "en")]
        targets.append(TargetSpec(task=name, languages=langs or list(task.languages[:2])))
    hp = spec.hyperparams.model_copy(update={
        "max_steps": CPU_MAX_STEPS, "max_length": 128, "qa_max_length": 256, "doc_stride": 64,
        "batch_size": 16, "eval_batch_size": 64, "per_task": {},
    })
    evaluation = spec.evaluation.model_copy(update={"max_dev_examples": 500, "eval_every_steps": 100})
    listed = "; ".join(f"{t.task} ({', '.join(t.languages or [])})" for t in targets)
    note = (
        f"cpu preset: {CPU_MODEL}, targets {listed}, "
        f"at most {CPU_MAX_STEPS} optimiser steps per phase, max length 128 — a scaled-down check on real data, "
        "not the published recipe (set the preset to 'published' for that)"
    )
    return spec.model_copy(update={
        "model": CPU_MODEL, "targets": targets, "hyperparams": hp, "evaluation": evaluation,
        "device": "cpu", "notes": [*spec.notes, note],
    })
