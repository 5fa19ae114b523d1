"""What a replication spec from the API may ask for: models, data folders and compute.

A spec arrives from any editor, so every field naming a path, model, size or count is checked:
models are registered names (``REPLICATION_MODELS``) or folders under ``DATA_DIR/models``; data
folders lie inside the configured roots (no ``..``, symlinks resolved before the check); seeds,
epochs, steps, threads, GPUs, batch sizes and lengths are capped by settings; every number is
finite. Violations are 422 ``spec_not_allowed`` naming the field and the setting that caps it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from app.errors import UnprocessableError
from app.paths import shown_path
from app.settings import Settings
from replication.spec import ReplicationSpec

SEED_LIMIT = 2**32  # what numpy and torch accept as a seed
MAX_PER_TASK = 64
MAX_EXAMPLES = 10_000_000
MAX_TEXT = 10_000
MAX_NOTES = 100


def _refuse(field: str, problem: str) -> UnprocessableError:
    return UnprocessableError(f"spec field {field!r}: {problem}", code="spec_not_allowed",
                              details={"field": field})


def resolve_model(name: str, settings: Settings, field: str = "model") -> str:
    """A registered model name as is, or the absolute folder of a model under DATA_DIR/models."""
    if name in settings.replication_models:
        return name
    path = Path(name)
    if ".." in path.parts:
        raise _refuse(field, "'..' is not allowed in a model path")
    models = settings.models_dir
    full = (path if path.is_absolute() else models / path).resolve()
    registered = ", ".join(settings.replication_models) or "none"
    if not full.is_relative_to(models) or full == models:
        raise _refuse(field, f"{name[:200]!r} is neither a registered model ({registered}; setting "
                             f"REPLICATION_MODELS) nor a folder under DATA_DIR/models")
    if not full.is_dir():
        raise _refuse(field, f"no model folder {str(path)[:200]!r} under DATA_DIR/models; copy the model there first")
    return str(full)


def resolve_data_dir(value: str | Path, settings: Settings, field: str, *, base: Path | None = None) -> Path:
    """An absolute data folder inside a configured root; relative paths start at ``base`` (DATA_DIR)."""
    path = Path(value)
    if ".." in path.parts:
        raise _refuse(field, "'..' is not allowed in a data path")
    full = (path if path.is_absolute() else (base or settings.data_dir) / path).resolve()  # follows symlinks
    roots = settings.data_roots
    if not any(full.is_relative_to(root) for root in roots):
        allowed = ", ".join(shown_path(root, settings, "a root in REPLICATION_DATA_ROOTS") for root in roots)
        raise _refuse(field, f"{str(value)[:200]!r} is outside the data folders replications may read "
                             f"({allowed}; setting REPLICATION_DATA_ROOTS)")
    return full


def _cap(field: str, value: float | None, limit: float, setting: str) -> None:
    if value is not None and value > limit:
        raise _refuse(field, f"{value:g} is over the limit of {limit:g} (setting {setting})")


def _check_finite(value: Any, field: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise _refuse(field, "numbers must be finite")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_finite(item, f"{field}.{key}" if field else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_finite(item, f"{field}.{index}")


def _check_compute(spec: ReplicationSpec, settings: Settings) -> None:
    if len(spec.seeds) > settings.replication_max_seeds:
        raise _refuse("seeds", f"{len(spec.seeds)} seeds; at most {settings.replication_max_seeds} "
                               f"(setting REPLICATION_MAX_SEEDS)")
    if any(not 0 <= seed < SEED_LIMIT for seed in spec.seeds):
        raise _refuse("seeds", f"seeds are integers from 0 to {SEED_LIMIT - 1}")
    hp = spec.hyperparams
    steps, batch, length = settings.replication_max_steps, settings.replication_max_batch_size, settings.replication_max_length
    _cap("hyperparams.epochs", hp.epochs, settings.replication_max_epochs, "REPLICATION_MAX_EPOCHS")
    _cap("hyperparams.max_steps", hp.max_steps, steps, "REPLICATION_MAX_STEPS")
    for name in ("batch_size", "eval_batch_size", "gradient_accumulation_steps"):
        _cap(f"hyperparams.{name}", getattr(hp, name, None), batch, "REPLICATION_MAX_BATCH_SIZE")
    for name in ("max_length", "qa_max_length", "doc_stride", "max_answer_length"):
        _cap(f"hyperparams.{name}", getattr(hp, name, None), length, "REPLICATION_MAX_LENGTH")
    if len(hp.per_task) > MAX_PER_TASK:
        raise _refuse("hyperparams.per_task", f"{len(hp.per_task)} entries; at most {MAX_PER_TASK}")
    for task, over in hp.per_task.items():
        where = f"hyperparams.per_task.{task[:50]}"
        _cap(f"{where}.epochs", over.epochs, settings.replication_max_epochs, "REPLICATION_MAX_EPOCHS")
        _cap(f"{where}.max_steps", over.max_steps, steps, "REPLICATION_MAX_STEPS")
        _cap(f"{where}.batch_size", over.batch_size, batch, "REPLICATION_MAX_BATCH_SIZE")
        _cap(f"{where}.max_length", over.max_length, length, "REPLICATION_MAX_LENGTH")
    _cap("evaluation.eval_every_steps", getattr(spec.evaluation, "eval_every_steps", None), steps,
         "REPLICATION_MAX_STEPS")
    _cap("evaluation.max_dev_examples", getattr(spec.evaluation, "max_dev_examples", None), MAX_EXAMPLES,
         "built-in")
    _cap("intermediate.cap", getattr(spec.intermediate, "cap", None), MAX_EXAMPLES, "built-in")
    _cap("checkpoint_every", getattr(spec, "checkpoint_every", None), steps, "REPLICATION_MAX_STEPS")
    _cap("cpu_threads", spec.cpu_threads, settings.replication_max_cpu_threads, "REPLICATION_MAX_CPU_THREADS")
    for name in ("gpus", "num_gpus"):
        _cap(name, getattr(spec, name, None), settings.replication_max_gpus, "REPLICATION_MAX_GPUS")
    if spec.device == "cuda" and settings.replication_max_gpus < 1:
        raise _refuse("device", "GPU jobs are disabled here (setting REPLICATION_MAX_GPUS=0); use cpu or auto")


def _check_text(spec: ReplicationSpec) -> None:
    if len(spec.name) > 200:
        raise _refuse("name", "at most 200 characters")
    if spec.source_claim is not None and len(spec.source_claim) > MAX_TEXT:
        raise _refuse("source_claim", f"at most {MAX_TEXT:,} characters")
    if len(spec.notes) > MAX_NOTES or any(len(note) > MAX_TEXT for note in spec.notes):
        raise _refuse("notes", f"at most {MAX_NOTES} notes of {MAX_TEXT:,} characters")


def enforce_spec_policy(spec: ReplicationSpec, settings: Settings, *,
                        requested: dict[str, Any] | None = None) -> ReplicationSpec:
    """``spec`` with its model and data folders resolved as allowed, or 422 ``spec_not_allowed``.

    ``requested`` is the spec as the client sent it (None for a spec derived from a claim): its
    paths are judged as written, relative ones starting at DATA_DIR (models: DATA_DIR/models).
    An absent data_dir means the installation's XTREME_DATA_DIR.
    """
    _check_finite(spec.to_dict(), "")
    _check_compute(spec, settings)
    _check_text(spec)
    raw = requested or {}
    update: dict[str, Any] = {"model": resolve_model(str(raw.get("model", spec.model)), settings)}
    for field in ("data_dir", "intermediate_data_dir"):
        if raw.get(field):  # as the client wrote it
            update[field] = resolve_data_dir(raw[field], settings, field)
            continue
        default = settings.xtreme_data_dir if requested is not None and field == "data_dir" else getattr(spec, field)
        if default is not None:  # from settings or derived from them: relative to the working directory
            update[field] = resolve_data_dir(default, settings, field, base=Path.cwd())
    return spec.model_copy(update=update)
