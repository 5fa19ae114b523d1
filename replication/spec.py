"""`ReplicationSpec`: everything needed to re-run an intermediate-task experiment.

A spec names the model, the intermediate phase (no task, one, or several with a
sampling scheme), the target tasks and their evaluation languages, the seeds, the
hyper-parameters and the effect the claim states. It round-trips through YAML and
JSON; relative paths in a spec file resolve against the file's folder.

Defaults follow the published recipe (Phang et al. 2020, "English intermediate-task
training improves zero-shot cross-lingual transfer too"): XLM-R Large, AdamW with
lr 1e-5, 10 % linear warm-up, max length 256 (384 for span QA). Batch sizes and
epochs per task follow the XTREME baseline scripts.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

DEFAULT_MODEL = "FacebookAI/xlm-roberta-large"
DEFAULT_DATA_DIR = "data/xtreme"


class SpecError(ValueError):
    """A spec that cannot be read or does not validate; the message names the file and field."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class NotReplicableError(ValueError):
    """A claim that cannot be turned into a spec; ``reason`` says precisely why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class SamplingScheme(str, Enum):
    """How multi-task intermediate training picks the task of each step."""

    proportional = "proportional"
    capped_proportional = "capped_proportional"
    uniform = "uniform"
    temperature = "temperature"


class IntermediateSpec(_Strict):
    """Phase 2: zero tasks (baseline only), one task, or several trained jointly."""

    tasks: list[str] = Field(default_factory=list)
    sampling: SamplingScheme = SamplingScheme.proportional
    cap: int = Field(default=20_000, gt=0, description="examples per task for capped_proportional")
    temperature: float = Field(default=2.0, gt=0, description="T in p_i ∝ n_i^(1/T)")

    @field_validator("tasks")
    @classmethod
    def _known_intermediate(cls, tasks: list[str]) -> list[str]:
        canonical = []
        for name in tasks:
            task = _lookup_task(name)
            if task is not None and not task.is_intermediate:
                raise ValueError(f"{name!r} is a target task, not an intermediate task")
            canonical.append(task.name if task is not None else name)
        if len(set(canonical)) != len(canonical):
            raise ValueError("duplicate task names")
        return canonical

    @property
    def is_multi_task(self) -> bool:
        return len(self.tasks) > 1


class TargetSpec(_Strict):
    """A target task and the languages it is evaluated on (``None``: all of the task's languages)."""

    task: str
    languages: list[str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, value: Any) -> Any:
        return {"task": value} if isinstance(value, str) else value

    @field_validator("task")
    @classmethod
    def _target_task(cls, name: str) -> str:
        task = _lookup_task(name)
        if task is None:
            return name
        if task.is_intermediate:
            raise ValueError(f"{name!r} is an intermediate task, not a target task")
        return task.name  # canonical name (aliases accepted)

    @model_validator(mode="after")
    def _known_languages(self) -> TargetSpec:
        task = _lookup_task(self.task)
        if task is not None and self.languages is not None:
            unknown = sorted(set(self.languages) - set(task.languages))
            if unknown:
                raise ValueError(f"languages {unknown} are not evaluation languages of {task.name!r}")
            if not self.languages:
                raise ValueError("empty language list (leave it out for all languages)")
        return self

    def resolved_languages(self) -> list[str]:
        if self.languages is not None:
            return list(self.languages)
        task = _lookup_task(self.task)
        return list(task.languages) if task is not None else ["en"]


class TaskHyperParams(_Strict):
    """Per-task overrides; ``None`` falls back to the spec-wide value."""

    batch_size: int | None = Field(default=None, gt=0)
    epochs: float | None = Field(default=None, gt=0)
    max_length: int | None = Field(default=None, gt=8)
    learning_rate: float | None = Field(default=None, gt=0)
    max_steps: int | None = Field(default=None, gt=0)


def _published_per_task() -> dict[str, TaskHyperParams]:
    """Batch sizes and epochs per task.

    Targets: the XTREME baseline scripts (effective batch 32 for classification and
    tagging, 16 for QA). Intermediates: small batches and 2-3 epochs as in jiant's
    XTREME recipe. These are recalled, not re-read from the papers: check them against
    the paper's appendix before a real replication.
    """
    hp = TaskHyperParams
    return {
        # targets (XTREME scripts)
        "xnli": hp(batch_size=32, epochs=5),
        "pawsx": hp(batch_size=32, epochs=5),
        "panx": hp(batch_size=32, epochs=10),
        "udpos": hp(batch_size=32, epochs=10),
        "xquad": hp(batch_size=16, epochs=2),
        "mlqa": hp(batch_size=16, epochs=2),
        "tydiqa": hp(batch_size=16, epochs=15),
        # intermediates (more epochs for the smaller data sets)
        "anli": hp(batch_size=4, epochs=2),
        "mnli": hp(batch_size=4, epochs=2),
        "qqp": hp(batch_size=4, epochs=2),
        "squad_v1": hp(batch_size=4, epochs=2),
        "squad_v2": hp(batch_size=4, epochs=2),
        "hellaswag": hp(batch_size=4, epochs=3),
        "ccg": hp(batch_size=4, epochs=3),
        "cosmosqa": hp(batch_size=4, epochs=3),
        "commonsenseqa": hp(batch_size=4, epochs=3),
    }


class HyperParams(_Strict):
    """Optimisation settings shared by all phases, with per-task overrides."""

    learning_rate: float = Field(default=1e-5, gt=0)
    warmup_ratio: float = Field(default=0.1, ge=0, lt=1)
    weight_decay: float = Field(default=0.01, ge=0)
    adam_epsilon: float = Field(default=1e-8, gt=0)
    adam_betas: tuple[float, float] = (0.9, 0.999)
    max_grad_norm: float = Field(default=1.0, gt=0)
    max_length: int = Field(default=256, gt=8)
    qa_max_length: int = Field(default=384, gt=8)
    doc_stride: int = Field(default=128, gt=0)
    max_answer_length: int = Field(default=30, gt=0)
    batch_size: int = Field(default=8, gt=0)
    eval_batch_size: int = Field(default=64, gt=0)
    gradient_accumulation_steps: int = Field(default=1, gt=0)
    epochs: float = Field(default=3, gt=0)
    max_steps: int | None = Field(default=None, gt=0, description="cap on optimiser steps per phase")
    per_task: dict[str, TaskHyperParams] = Field(default_factory=_published_per_task)

    @model_validator(mode="after")
    def _stride_fits(self) -> HyperParams:
        if self.doc_stride >= self.qa_max_length:
            raise ValueError("doc_stride must be smaller than qa_max_length")
        return self

    def for_task(self, name: str, *, is_qa: bool = False) -> TaskHyperParams:
        """The effective settings of one task (every field filled)."""
        over = self.per_task.get(name, TaskHyperParams())
        return TaskHyperParams(
            batch_size=over.batch_size or self.batch_size,
            epochs=over.epochs or self.epochs,
            max_length=over.max_length or (self.qa_max_length if is_qa else self.max_length),
            learning_rate=over.learning_rate or self.learning_rate,
            max_steps=over.max_steps or self.max_steps,
        )


class EvaluationSpec(_Strict):
    """Dev evaluation schedule, early stopping on the English dev set, retrieval layer."""

    eval_every_steps: int | None = Field(default=None, gt=0, description="None: once per epoch")
    early_stopping_patience: int = Field(default=3, ge=0, description="evaluations without gain; 0 = off")
    dev_language: str = "en"
    eval_split: Literal["test", "dev"] = Field(
        default="test", description="split scored per language; XTREME's download strips some test labels"
    )
    retrieval_layer: int = Field(
        default=14, description="hidden layer mean-pooled for BUCC/Tatoeba; negative counts from the top"
    )
    max_dev_examples: int | None = Field(default=2000, gt=0)


class ClaimedEffect(_Strict):
    """The effect the claim states: ``metric`` is a dotted path into the scorer's result.

    Examples: ``overall.all_task`` (XTREME average), ``overall.qa``,
    ``tasks.xnli.avg_metric``, ``tasks.panx.f1.de``.
    """

    metric: str = "overall.all_task"
    delta: float
    tolerance: float = Field(default=1.0, ge=0)
    confidence: float = Field(default=0.95, gt=0, lt=1)

    @field_validator("metric")
    @classmethod
    def _dotted(cls, metric: str) -> str:
        head = metric.split(".", 1)[0]
        if head not in {"overall", "tasks"} or "." not in metric:
            raise ValueError("must start with 'overall.' or 'tasks.' (e.g. overall.all_task)")
        return metric


class ReplicationSpec(_Strict):
    """One experiment: baseline vs. intermediate-task treatment over seeds."""

    name: str = "replication"
    model: str = DEFAULT_MODEL
    intermediate: IntermediateSpec = Field(default_factory=IntermediateSpec)
    targets: list[TargetSpec] = Field(min_length=1)
    seeds: list[int] = Field(default_factory=lambda: [1, 2, 3], min_length=1)
    hyperparams: HyperParams = Field(default_factory=HyperParams)
    evaluation: EvaluationSpec = Field(default_factory=EvaluationSpec)
    claimed_effect: ClaimedEffect | None = None
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    intermediate_data_dir: Path | None = None
    device: Literal["auto", "cpu", "cuda"] = "auto"
    cpu_threads: int | None = Field(
        default=None, gt=0, description="torch intra-op threads on CPU (None: torch's default); 1 suits tiny models"
    )
    checkpoint_every: int | None = Field(default=1000, gt=0, description="optimiser steps between checkpoints")
    source_claim: str | None = None
    notes: list[str] = Field(default_factory=list, description="assumptions made when deriving the spec")

    @field_validator("seeds")
    @classmethod
    def _unique_seeds(cls, seeds: list[int]) -> list[int]:
        if len(set(seeds)) != len(seeds):
            raise ValueError("duplicate seeds")
        return seeds

    @field_validator("targets")
    @classmethod
    def _unique_targets(cls, targets: list[TargetSpec]) -> list[TargetSpec]:
        names = [t.task for t in targets]
        if len(set(names)) != len(names):
            raise ValueError("duplicate target tasks")
        return targets

    @property
    def intermediate_root(self) -> Path:
        return self.intermediate_data_dir or self.data_dir

    # ---- serialisation -------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        text = self.to_json() if path.suffix == ".json" else self.to_yaml()
        path.write_text(text, encoding="utf-8")
        return path

    @classmethod
    def from_dict(cls, data: Any, *, source: str | None = None, base_dir: Path | None = None) -> ReplicationSpec:
        """Validate ``data``; errors become `SpecError` naming each failing field."""
        if not isinstance(data, dict):
            raise SpecError(f"expected a mapping at the top level, got {type(data).__name__}", source=source)
        try:
            spec = cls.model_validate(data)
        except ValidationError as exc:
            raise SpecError(_format_errors(exc), source=source) from None
        return spec.resolve_paths(base_dir) if base_dir is not None else spec

    @classmethod
    def from_yaml(cls, text: str, *, source: str | None = None, base_dir: Path | None = None) -> ReplicationSpec:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}: " if mark is not None else ""
            raise SpecError(f"{where}invalid YAML: {getattr(exc, 'problem', exc)}", source=source) from None
        return cls.from_dict(data, source=source, base_dir=base_dir)

    @classmethod
    def from_json(cls, text: str, *, source: str | None = None, base_dir: Path | None = None) -> ReplicationSpec:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(f"line {exc.lineno}: invalid JSON: {exc.msg}", source=source) from None
        return cls.from_dict(data, source=source, base_dir=base_dir)

    @classmethod
    def load(cls, path: str | Path) -> ReplicationSpec:
        """Read a ``.yaml``/``.yml``/``.json`` spec; relative paths resolve against its folder."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SpecError(f"cannot read spec: {exc.strerror}", source=str(path)) from None
        reader = cls.from_json if path.suffix == ".json" else cls.from_yaml
        return reader(text, source=str(path), base_dir=path.resolve().parent)

    def resolve_paths(self, base_dir: Path) -> ReplicationSpec:
        """Make data dirs (and a model given as a relative local path) absolute against ``base_dir``."""
        update: dict[str, Any] = {}
        for name in ("data_dir", "intermediate_data_dir"):
            value = getattr(self, name)
            if value is not None and not value.is_absolute():
                update[name] = (base_dir / value).resolve()
        model = Path(self.model).expanduser()
        if not model.is_absolute() and (self.model.startswith(".") or (base_dir / model).exists()):
            update["model"] = str((base_dir / model).resolve())
        return self.model_copy(update=update)


def _format_errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "<root>"
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"field {loc!r}: {msg}")
    return "; ".join(parts)


def _lookup_task(name: str):  # -> replication.tasks.Task | None
    """The registry's task, raising ValueError (→ a field error) for an unknown name."""
    try:
        from replication.tasks import UnknownTaskError, get_task
    except ImportError:  # registry not installed: accept names as given
        return None
    try:
        return get_task(name)
    except UnknownTaskError as exc:
        raise ValueError(str(exc)) from None
