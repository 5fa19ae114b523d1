"""The training loop: single- or multi-task, one explicit loop for CPU and CUDA.

Read top to bottom like transformers' ``run_*_no_trainer`` examples:

* every optimiser step draws one task (`sampling.task_schedule`) and takes
  ``gradient_accumulation_steps`` micro-batches of it;
* batches are length-grouped and padded to their own longest sequence;
* on CUDA the forward pass runs under bf16 autocast; on CPU everything is float32;
  AdamW is torch's fused kernel on both — same code, only `Runtime` differs;
* linear warm-up then linear decay; gradient clipping;
* periodic evaluation on the English dev set with early stopping (the best
  weights are restored at the end);
* a checkpoint (model, optimiser, scheduler, step, data position, RNG) every
  ``checkpoint_every`` steps, picked up again by ``resume=True``;
* one JSON line per event in ``log_path`` and a ``progress(phase, fraction, info)``
  callback for the job system.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import get_linear_schedule_with_warmup

from replication.collate import feature_length, pad_batch
from replication.models import MultiTaskModel
from replication.sampling import (
    length_grouped_batches,
    task_probabilities,
    task_schedule,
)
from replication.spec import SamplingScheme

ProgressCallback = Callable[[str, float, dict[str, Any]], None]
"""``progress(phase, fraction_done, info)``; fraction is within the phase, 0..1."""

EvalFn = Callable[[MultiTaskModel], float]
"""Scores the model on the dev set; higher is better."""


# ---- configuration ------------------------------------------------------------------


@dataclass
class TrainConfig:
    """Settings of one training phase (one call to `train`)."""

    learning_rate: float = 1e-5
    weight_decay: float = 0.01
    adam_betas: tuple[float, float] = (0.9, 0.999)
    adam_epsilon: float = 1e-8
    warmup_ratio: float = 0.1
    max_grad_norm: float = 1.0
    gradient_accumulation_steps: int = 1
    max_steps: int | None = None
    sampling: SamplingScheme = SamplingScheme.proportional
    sampling_cap: int = 20_000
    sampling_temperature: float = 2.0
    seed: int = 0
    device: str = "auto"
    log_every: int = 10
    eval_every: int | None = None
    """Steps between dev evaluations; ``None``: once per (average) epoch."""
    early_stopping_patience: int = 0
    checkpoint_every: int | None = None
    checkpoint_dir: Path | None = None
    resume: bool = True
    log_path: Path | None = None
    phase: str = "train"


@dataclass
class TaskStream:
    """One task's training features: model inputs only (``input_ids``, ``attention_mask``, targets)."""

    name: str
    features: Sequence[Mapping[str, Any]]
    batch_size: int
    epochs: float = 1.0

    @property
    def batches_per_epoch(self) -> int:
        return math.ceil(len(self.features) / self.batch_size)


@dataclass
class TrainResult:
    steps: int
    losses: list[float]
    """Mean loss of every optimiser step."""
    best_score: float | None = None
    best_step: int | None = None
    evaluations: list[tuple[int, float]] = field(default_factory=list)
    stopped_early: bool = False
    tokens: int = 0
    seconds: float = 0.0

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds else 0.0


@dataclass
class Runtime:
    """Device-dependent choices, made once."""

    device: torch.device
    bf16: bool
    fused_adamw: bool
    pad_to_multiple_of: int | None

    @classmethod
    def resolve(cls, device: str = "auto") -> Runtime:
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        dev = torch.device(device)
        cuda = dev.type == "cuda"
        if cuda:
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True
        return cls(
            device=dev,
            bf16=cuda and torch.cuda.is_bf16_supported(),
            fused_adamw=dev.type in ("cuda", "cpu"),  # torch has fused AdamW kernels for both
            pad_to_multiple_of=8 if cuda else None,
        )

    def adamw_kernel(self) -> dict[str, bool | None]:
        """`torch.optim.AdamW`'s kernel arguments: fused where torch has the kernel, else one
        multi-tensor (foreach) update rather than one per parameter."""
        return {"fused": self.fused_adamw or None, "foreach": None if self.fused_adamw else True}

    def autocast(self) -> contextlib.AbstractContextManager:
        if self.bf16:
            return torch.autocast(device_type=self.device.type, dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def to_device(self, batch: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        return {k: v.to(self.device, non_blocking=True) for k, v in batch.items()}


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


# ---- data position ------------------------------------------------------------------


class BatchStream:
    """Endless length-grouped batches of one task; position is (epoch, batch index)."""

    def __init__(self, stream: TaskStream, seed: int, pad_id: int, runtime: Runtime) -> None:
        self.stream, self.seed, self.pad_id, self.runtime = stream, seed, pad_id, runtime
        self.lengths = [feature_length(f) for f in stream.features]
        self.epoch, self.position = 0, 0
        self._order: list[list[int]] | None = None

    def _batches(self) -> list[list[int]]:
        if self._order is None:
            self._order = length_grouped_batches(self.lengths, self.stream.batch_size, seed=self.seed * 1000 + self.epoch)
        return self._order

    def next(self) -> dict[str, torch.Tensor]:
        if self.position >= len(self._batches()):
            self.epoch, self.position, self._order = self.epoch + 1, 0, None
        idx = self._batches()[self.position]
        self.position += 1
        features = [self.stream.features[i] for i in idx]
        return pad_batch(features, self.pad_id, self.runtime.pad_to_multiple_of)

    def state(self) -> dict[str, int]:
        return {"epoch": self.epoch, "position": self.position}

    def load_state(self, state: Mapping[str, int]) -> None:
        self.epoch, self.position, self._order = state["epoch"], state["position"], None


# ---- logging ------------------------------------------------------------------------


class JsonLineLog:
    """Appends one JSON object per event; a no-op without a path."""

    def __init__(self, path: Path | None, phase: str) -> None:
        self.path, self.phase = path, phase
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)

    def __call__(self, event: str, **fields: Any) -> None:
        if self.path is None:
            return
        record = {"time": round(time.time(), 3), "phase": self.phase, "event": event, **fields}
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")


# ---- the loop -----------------------------------------------------------------------


def total_steps(streams: Sequence[TaskStream], config: TrainConfig) -> int:
    """Optimiser steps of the phase: every task's epochs of batches, unless ``max_steps`` caps it."""
    micro = sum(math.ceil(s.epochs * s.batches_per_epoch) for s in streams)
    steps = max(1, math.ceil(micro / config.gradient_accumulation_steps))
    return min(steps, config.max_steps) if config.max_steps else steps


def build_optimizer(model: torch.nn.Module, config: TrainConfig, runtime: Runtime) -> torch.optim.Optimizer:
    """AdamW (fused where torch has the kernel, else one foreach update); biases and LayerNorm
    weights get no weight decay."""
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        (no_decay if param.ndim < 2 or "LayerNorm" in name or "layer_norm" in name else decay).append(param)
    groups = [
        {"params": decay, "weight_decay": config.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(
        groups,
        lr=config.learning_rate,
        betas=config.adam_betas,
        eps=config.adam_epsilon,
        **runtime.adamw_kernel(),
    )


def train(
    model: MultiTaskModel,
    streams: Sequence[TaskStream],
    config: TrainConfig,
    *,
    pad_id: int,
    evaluate: EvalFn | None = None,
    progress: ProgressCallback | None = None,
) -> TrainResult:
    """Train ``model`` on ``streams`` (one per task, each with a head in ``model``)."""
    if not streams:
        raise ValueError("training needs at least one task stream")
    missing = [s.name for s in streams if s.name not in model.heads]
    if missing:
        raise ValueError(f"model has no head for tasks {missing}")
    runtime = Runtime.resolve(config.device)
    model.to(runtime.device)
    log = JsonLineLog(config.log_path, config.phase)

    n_steps = total_steps(streams, config)
    probs = task_probabilities(
        [len(s.features) for s in streams], config.sampling, cap=config.sampling_cap, temperature=config.sampling_temperature
    )
    schedule = task_schedule(probs, n_steps, config.seed)
    batches = [BatchStream(s, config.seed + 17 * i, pad_id, runtime) for i, s in enumerate(streams)]
    optimizer = build_optimizer(model, config, runtime)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(config.warmup_ratio * n_steps), n_steps)
    eval_every = config.eval_every or max(1, round(n_steps / max(s.epochs for s in streams)))

    state = _TrainState()
    ckpt = config.checkpoint_dir / "last.pt" if config.checkpoint_dir else None
    if ckpt is not None and config.resume and ckpt.exists():
        state = _load_checkpoint(ckpt, model, optimizer, scheduler, batches, runtime)
        log("resume", step=state.step)
    else:
        set_seed(config.seed)
    log("start", total_steps=n_steps, tasks={s.name: len(s.features) for s in streams},
        probabilities=dict(zip([s.name for s in streams], probs.round(4).tolist(), strict=True)), device=str(runtime.device),
        bf16=runtime.bf16, config=_jsonable(asdict(config)))

    model.train()
    window_tokens, window_start = 0, time.perf_counter()
    pending: list[torch.Tensor] = []  # step losses still on the device: read once per log window

    def flush() -> list[float]:
        values = torch.stack(pending).tolist() if pending else []
        state.losses.extend(values)
        pending.clear()
        return values

    run_start = time.perf_counter()
    while state.step < n_steps and not state.stopped_early:
        task_idx = int(schedule[state.step])
        task = streams[task_idx].name
        step_loss = torch.zeros((), device=runtime.device)
        for _ in range(config.gradient_accumulation_steps):
            cpu_batch = batches[task_idx].next()
            window_tokens += int(cpu_batch["attention_mask"].sum())
            batch = runtime.to_device(cpu_batch)
            with runtime.autocast():
                out = model(task, **batch)
            loss = out.loss / config.gradient_accumulation_steps
            loss.backward()
            step_loss += loss.detach()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.max_grad_norm)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        state.step += 1
        pending.append(step_loss)

        last = state.step == n_steps
        if state.step % config.log_every == 0 or last:
            window_losses = flush()  # synchronises with the device, so the window time is real
            elapsed = time.perf_counter() - window_start
            info = {
                "step": state.step,
                "loss": round(float(np.mean(window_losses)), 6),
                "lr": scheduler.get_last_lr()[0],
                "tokens_per_s": round(window_tokens / elapsed, 1) if elapsed > 0 else None,
                "task": task,
            }
            log("train", **info)
            if progress:
                progress(config.phase, state.step / n_steps, info)
            state.tokens += window_tokens
            window_tokens, window_start = 0, time.perf_counter()

        if evaluate is not None and (state.step % eval_every == 0 or last):
            _evaluate(model, evaluate, state, config, log)
            model.train()

        if ckpt is not None and config.checkpoint_every and state.step % config.checkpoint_every == 0 and not last:
            flush()
            _save_checkpoint(ckpt, model, optimizer, scheduler, batches, state)
            log("checkpoint", step=state.step, path=str(ckpt))

    flush()
    if state.best_state is not None:
        model.load_state_dict(state.best_state)
    state.tokens += window_tokens
    seconds = time.perf_counter() - run_start
    result = TrainResult(
        steps=state.step,
        losses=state.losses,
        best_score=state.best_score,
        best_step=state.best_step,
        evaluations=state.evaluations,
        stopped_early=state.stopped_early,
        tokens=state.tokens,
        seconds=seconds,
    )
    log("end", steps=state.step, best_score=state.best_score, best_step=state.best_step,
        stopped_early=state.stopped_early, tokens_per_s=round(result.tokens_per_second, 1))
    if progress:
        progress(config.phase, 1.0, {"step": state.step, "best_score": state.best_score})
    if ckpt is not None and ckpt.exists():
        ckpt.unlink()  # the phase finished: nothing left to resume
    return result


@dataclass
class _TrainState:
    step: int = 0
    losses: list[float] = field(default_factory=list)
    best_score: float | None = None
    best_step: int | None = None
    best_state: dict[str, torch.Tensor] | None = None
    bad_evaluations: int = 0
    evaluations: list[tuple[int, float]] = field(default_factory=list)
    stopped_early: bool = False
    tokens: int = 0


def _evaluate(model: MultiTaskModel, evaluate: EvalFn, state: _TrainState, config: TrainConfig, log: JsonLineLog) -> None:
    model.eval()
    score = float(evaluate(model))
    state.evaluations.append((state.step, score))
    improved = state.best_score is None or score > state.best_score
    if improved:
        state.best_score, state.best_step, state.bad_evaluations = score, state.step, 0
        state.best_state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
    else:
        state.bad_evaluations += 1
    log("eval", step=state.step, score=score, best_score=state.best_score, improved=improved)
    if config.early_stopping_patience and state.bad_evaluations >= config.early_stopping_patience:
        state.stopped_early = True
        log("early_stop", step=state.step, best_step=state.best_step)


# ---- checkpoints --------------------------------------------------------------------


def _save_checkpoint(path: Path, model, optimizer, scheduler, batches: list[BatchStream], state: _TrainState) -> None:
    payload = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "batches": [b.state() for b in batches],
        "state": {k: v for k, v in vars(state).items()},
        "rng": {
            "python": random.getstate(),
            "numpy": np.random.get_state(),
            "torch": torch.get_rng_state(),
            "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)  # atomic: a crash mid-save leaves the previous checkpoint


def _load_checkpoint(path: Path, model, optimizer, scheduler, batches: list[BatchStream], runtime: Runtime) -> _TrainState:
    payload = torch.load(path, map_location=runtime.device, weights_only=False)
    model.load_state_dict(payload["model"])
    optimizer.load_state_dict(payload["optimizer"])
    scheduler.load_state_dict(payload["scheduler"])
    for stream, st in zip(batches, payload["batches"], strict=True):
        stream.load_state(st)
    rng = payload["rng"]
    random.setstate(rng["python"])
    np.random.set_state(rng["numpy"])
    torch.set_rng_state(rng["torch"].cpu())
    if rng["cuda"] is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in rng["cuda"]])
    return _TrainState(**payload["state"])


# ---- inference ----------------------------------------------------------------------


@torch.no_grad()
def predict(
    model: MultiTaskModel,
    task_name: str,
    features: Sequence[Mapping[str, Any]],
    *,
    pad_id: int,
    batch_size: int = 64,
    device: str = "auto",
) -> list[Any]:
    """Logits of every feature, in input order (length-sorted batches internally).

    Returns per feature a numpy array (classification, tagging, multiple choice:
    un-padded to the feature's length for tagging) or a (start, end) pair for QA.
    """
    runtime = Runtime.resolve(device)
    model.to(runtime.device).eval()
    order = sorted(range(len(features)), key=lambda i: feature_length(features[i]))
    results: list[Any] = [None] * len(features)
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        batch = runtime.to_device(pad_batch([_inputs(features[i]) for i in idx], pad_id, runtime.pad_to_multiple_of))
        with runtime.autocast():
            logits = model(task_name, **batch).logits
        for row, i in enumerate(idx):
            n = feature_length(features[i])
            if isinstance(logits, tuple):
                results[i] = tuple(t[row, :n].float().cpu().numpy() for t in logits)
            elif logits.dim() == 3:
                results[i] = logits[row, :n].float().cpu().numpy()
            else:
                results[i] = logits[row].float().cpu().numpy()
    return results


@torch.no_grad()
def embed(
    model: MultiTaskModel,
    features: Sequence[Mapping[str, Any]],
    *,
    layer: int,
    pad_id: int,
    batch_size: int = 64,
    device: str = "auto",
) -> np.ndarray:
    """Mean-pooled ``layer`` states of every feature, shape (n, hidden), input order."""
    runtime = Runtime.resolve(device)
    model.to(runtime.device).eval()
    out = np.zeros((len(features), model.hidden_size), dtype=np.float32)
    order = sorted(range(len(features)), key=lambda i: feature_length(features[i]))
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        batch = runtime.to_device(pad_batch([_inputs(features[i]) for i in idx], pad_id, runtime.pad_to_multiple_of))
        with runtime.autocast():
            vectors = model.embed(batch["input_ids"], batch["attention_mask"], layer)
        out[idx] = vectors.float().cpu().numpy()
    return out


def _inputs(feature: Mapping[str, Any]) -> dict[str, Any]:
    return {"input_ids": feature["input_ids"], "attention_mask": feature["attention_mask"]}


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


__all__ = [
    "BatchStream",
    "JsonLineLog",
    "ProgressCallback",
    "Runtime",
    "TaskStream",
    "TrainConfig",
    "TrainResult",
    "embed",
    "predict",
    "set_seed",
    "total_steps",
    "train",
]
