"""Everything an experiment reads before training: target and intermediate data, checked.

Kept free of torch/transformers so that a spec can be checked against its data quickly
(the CLI does this before loading the model).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from replication.availability import missing_data_message, missing_for
from replication.data import DataFormatError, load_split, split_path
from replication.spec import ReplicationSpec
from replication.tasks import Task, TaskFormat, get_task

SUPPORTED_TARGETS = ("xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa", "bucc2018", "tatoeba")
BENCHMARK = "xtreme"


class PipelineError(RuntimeError):
    """The experiment cannot run as specified (missing data, unsupported task, …)."""


class MissingDataError(PipelineError):
    """Files the spec needs are absent; the message names the first, the setting and the check command."""

    def __init__(self, missing: list[Path], root: Path) -> None:
        self.missing, self.root = missing, root
        super().__init__(missing_data_message(missing, root))


def check_data(spec: ReplicationSpec) -> None:
    """`MissingDataError` unless every file the spec reads is present (fast: no parsing)."""
    targets = []
    for target in spec.targets:
        if get_task(target.task).name not in SUPPORTED_TARGETS:
            continue  # refused with its own message when loading
        targets.append((target.task, target.resolved_languages()))
    missing = missing_for(targets, spec.intermediate.tasks, spec.data_dir, spec.intermediate_root,
                          spec.evaluation.eval_split)
    if missing:
        raise MissingDataError(missing, spec.data_dir)


# ---- data ---------------------------------------------------------------------------


@dataclass
class TargetData:
    task: Task
    languages: list[str]
    train: list[Any] | None
    dev: list[Any] | None
    test: dict[str, Any]
    bucc_dev: dict[str, Any] | None = None


def _optional_split(task: Task, split: str, lang: str, root: Path) -> Any | None:
    """A split that may legitimately be absent (no dev file) — malformed files still raise."""
    try:
        path = split_path(task, split, lang, root)  # type: ignore[arg-type]
    except DataFormatError:
        return None
    exists = path.exists() or any(path.parent.glob(path.name + ".*"))
    return load_split(task, split, lang, root) if exists else None  # type: ignore[arg-type]


def _load_target(spec: ReplicationSpec, name: str, languages: list[str], split: str) -> TargetData:
    task = get_task(name, BENCHMARK)
    if task.name not in SUPPORTED_TARGETS:
        raise PipelineError(f"target {task.name!r} is not supported yet (supported: {', '.join(SUPPORTED_TARGETS)})")
    root = spec.data_dir
    dev_lang = spec.evaluation.dev_language
    try:
        test = {lang: load_split(task, split, lang, root) for lang in languages}  # type: ignore[arg-type]
        if task.format is TaskFormat.retrieval:
            bucc_dev = {lang: load_split(task, "dev", lang, root) for lang in languages} if task.name == "bucc2018" else None
            return TargetData(task, languages, None, None, test, bucc_dev)
        train_data = load_split(task, "train", task.train_language, root)
    except DataFormatError as exc:
        raise PipelineError(f"target {task.name}: {exc}") from None
    dev = _optional_split(task, "dev", dev_lang, root)
    return TargetData(task, languages, list(train_data), list(dev) if dev else None, test)


def _load_intermediate(spec: ReplicationSpec, name: str) -> tuple[Task, list[Any], list[Any] | None]:
    task = get_task(name)
    try:
        data = load_split(task, "train", "en", spec.intermediate_root)
    except DataFormatError as exc:
        raise PipelineError(f"intermediate task {task.name}: {exc}") from None
    dev = _optional_split(task, "dev", "en", spec.intermediate_root)
    return task, list(data), list(dev) if dev else None


def gold_labels(task: Task, data: Any, where: str) -> Any:
    """Gold labels of one test language, refusing unlabelled data (XTREME strips some test labels)."""
    fmt = task.format
    if task.name == "tatoeba":
        return list(range(len(data.src)))
    if task.name == "bucc2018":
        if not data.gold:
            raise PipelineError(f"{where}: BUCC split has no .gold file; scoring needs gold pairs")
        return data.gold
    if fmt is TaskFormat.span_qa:
        return data
    missing = [i for i, ex in enumerate(data) if getattr(ex, "label", getattr(ex, "labels", None)) is None]
    if missing:
        raise PipelineError(
            f"{where}: {len(missing)} unlabelled examples (first: #{missing[0] + 1}); scoring needs labelled "
            "test files (XTREME's download strips test labels: evaluate on dev with evaluation.eval_split=dev "
            "or provide labelled files)"
        )
    return data if fmt is TaskFormat.tagging else [ex.label for ex in data]


@dataclass
class ExperimentInputs:
    targets: list[TargetData]
    intermediates: list[tuple[Task, list[Any], list[Any] | None]]


def load_inputs(spec: ReplicationSpec) -> ExperimentInputs:
    """Read and check every file the spec needs; `PipelineError` names the first problem."""
    _check_metric(spec)
    check_data(spec)
    split = spec.evaluation.eval_split
    targets = [_load_target(spec, t.task, t.resolved_languages(), split) for t in spec.targets]
    for target in targets:
        for lang in target.languages:
            gold_labels(target.task, target.test[lang], f"{target.task.name} {split}-{lang}")
    intermediates = [_load_intermediate(spec, name) for name in spec.intermediate.tasks]
    return ExperimentInputs(targets, intermediates)


def _check_metric(spec: ReplicationSpec) -> None:
    if spec.claimed_effect is None:
        return
    parts = spec.claimed_effect.metric.split(".")
    names = {get_task(t.task).name for t in spec.targets}
    if parts[0] == "tasks" and parts[1] not in names:
        raise PipelineError(
            f"claimed_effect.metric {spec.claimed_effect.metric!r} names a task that is not a target ({sorted(names)})"
        )
