"""Training throughput of `replication.train` against transformers' `Trainer`, in one run.

Three loops train the same model shape from the same initial weights on the same features
with the same batch size, schedule (linear, 10 % warm-up), gradient clipping and dynamic
padding; on CUDA all use bf16 autocast:

* ours — `replication.train` as the pipeline runs it (length-grouped batches, torch's fused AdamW);
* Trainer, matched — every choice of ours handed to Trainer (length grouping through
  ``train_sampling_strategy="group_by_length"``, the same AdamW kernel through
  ``optimizer_cls_and_kwargs``): what is left is the loops' own per-step overhead;
* Trainer, defaults — Trainer as it ships (random batch order, its default optimiser), with
  dynamic padding: what a user who writes a Trainer script gets.

Each loop first runs a few warm-up steps (not timed), then ``--steps`` timed steps, timed
over the same window — from just before the first optimiser step to just after the last,
set-up (model wrapping, optimiser, data loader) excluded on every side — and throughput
counts real (non-padding) tokens per second of that window. ``--repeats`` runs (default 3)
rotate the order of the three loops; the script prints each repeat's ratios, their medians
and ranges.

    python bench/train_throughput.py                   # tiny XLM-R shape, CPU or GPU
    python bench/train_throughput.py --config large    # XLM-R Large shape, seq 256, bf16 (CUDA): adds MFU

MFU = achieved model FLOPs / peak bf16 FLOPs, with 6·N FLOPs per token for the
non-embedding parameters plus 12·layers·hidden·seq for attention scores (PaLM, appendix B).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn
from transformers import TrainerCallback

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from replication.collate import pad_batch  # noqa: E402
from replication.models import MultiTaskModel  # noqa: E402
from replication.train import Runtime, TaskStream, TrainConfig, set_seed, train  # noqa: E402

PEAK_BF16_TFLOPS = {"H200": 989.0, "H100": 989.0, "A100": 312.0, "L40S": 362.0, "A10G": 125.0}
"""Dense bf16 peak per GPU (SXM parts), looked up by a substring of the device name."""


@dataclass
class Setup:
    name: str
    model: MultiTaskModel
    features: list[dict[str, Any]]
    pad_id: int
    batch_size: int
    seq_len: int | None


def tiny_setup(batch_size: int) -> Setup:
    """The committed tiny example: its model and the XNLI-format training pairs."""
    from transformers import AutoTokenizer

    from replication.data import load_split
    from replication.features import TaskEncoder
    from replication.tasks import get_task

    example = ROOT / "examples" / "replication"
    model_dir, data_dir = example / "model", example / "data"
    if not model_dir.exists():
        from replication.tiny import build_tiny_model, write_tiny_data

        tmp = Path(tempfile.mkdtemp())
        corpus = write_tiny_data(tmp / "data")
        model_dir, data_dir = build_tiny_model(tmp / "model", corpus, vocab_size=400), tmp / "data"
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    task = get_task("xnli")
    examples = load_split(task, "train", "en", data_dir)
    feats = TaskEncoder.for_task(task, tokenizer, max_length=128).encode(examples, train=True).features
    model = MultiTaskModel.from_pretrained(model_dir)
    model.add_head("xnli", "sequence_classification", 3)
    return Setup("tiny", model, feats, tokenizer.pad_token_id, batch_size, None)


def large_setup(batch_size: int, seq_len: int, n_examples: int) -> Setup:
    """XLM-R Large shape (random weights, no download) on random full-length token sequences."""
    from transformers import XLMRobertaConfig, XLMRobertaModel

    config = XLMRobertaConfig(
        vocab_size=250_002, hidden_size=1024, num_hidden_layers=24, num_attention_heads=16,
        intermediate_size=4096, max_position_embeddings=514, type_vocab_size=1, pad_token_id=1,
    )
    model = MultiTaskModel(XLMRobertaModel(config, add_pooling_layer=False))
    model.add_head("xnli", "sequence_classification", 3)
    rng = random.Random(0)
    feats = [
        {"input_ids": [0] + [rng.randrange(5, 250_000) for _ in range(seq_len - 2)] + [2],
         "attention_mask": [1] * seq_len, "labels": rng.randrange(3)}
        for _ in range(n_examples)
    ]
    return Setup("large", model, feats, 1, batch_size, seq_len)


def run_ours(setup: Setup, state: dict[str, torch.Tensor], steps: int, warmup: int, device: str) -> float:
    """Tokens/s of `replication.train.train` from its first to its last optimiser step
    (`TrainResult.seconds` starts after the optimiser and batch streams are built)."""
    setup.model.load_state_dict(state)
    stream = [TaskStream("xnli", setup.features, setup.batch_size, epochs=1000)]
    config = TrainConfig(learning_rate=1e-5, seed=0, device=device, log_every=10**9, max_steps=warmup)
    train(setup.model, stream, config, pad_id=setup.pad_id)
    config.max_steps = steps
    _sync()
    result = train(setup.model, stream, config, pad_id=setup.pad_id)
    _sync()
    return result.tokens / result.seconds


class _TrainerModel(nn.Module):
    """The same `MultiTaskModel` behind the ``forward(**batch) -> {"loss": ...}`` Trainer expects."""

    def __init__(self, model: MultiTaskModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, labels):
        out = self.model("xnli", input_ids=input_ids, attention_mask=attention_mask, labels=labels)
        return {"loss": out.loss, "logits": out.logits}


class _CountingCollator:
    """Dynamic padding (as ours) that counts the non-padding tokens it hands out."""

    def __init__(self, pad_id: int, multiple: int | None) -> None:
        self.pad_id, self.multiple, self.tokens = pad_id, multiple, 0

    def __call__(self, features):
        batch = pad_batch(features, self.pad_id, self.multiple)
        self.tokens += int(batch["attention_mask"].sum())
        return batch


def run_trainer(setup: Setup, state: dict[str, torch.Tensor], steps: int, warmup: int, device: str,
                *, matched: bool) -> float:
    """Tokens/s of transformers' `Trainer` on the same model, data and batch (warm-up excluded);
    ``matched``: with our length grouping and AdamW kernel, else at Trainer's defaults."""
    from transformers import PrinterCallback, Trainer, TrainingArguments

    runtime = Runtime.resolve(device)
    setup.model.load_state_dict(state)
    wrapped = _TrainerModel(setup.model)
    lengths = [len(f["input_ids"]) for f in setup.features]
    collator = _CountingCollator(setup.pad_id, runtime.pad_to_multiple_of)
    # The same optimiser kernel as `build_optimizer` (Trainer adds the weight-decay groups).
    adamw = {"lr": 1e-5, **runtime.adamw_kernel()}
    sampling = {"train_sampling_strategy": "group_by_length", "length_column_name": "length"} if matched else {}

    def make(max_steps: int, out: str) -> Trainer:
        args = TrainingArguments(
            output_dir=out, per_device_train_batch_size=setup.batch_size, max_steps=max_steps,
            learning_rate=1e-5, warmup_steps=max(1, max_steps // 10), weight_decay=0.01, max_grad_norm=1.0,
            lr_scheduler_type="linear", bf16=runtime.bf16, use_cpu=runtime.device.type == "cpu",
            **sampling,
            logging_strategy="no", save_strategy="no", report_to="none", disable_tqdm=True,
            remove_unused_columns=False, dataloader_num_workers=0, seed=0,
        )
        dataset = _ListDataset(setup.features, lengths)
        optimizer = {"optimizer_cls_and_kwargs": (torch.optim.AdamW, adamw)} if matched else {}
        trainer = Trainer(model=wrapped, args=args, train_dataset=dataset, data_collator=collator, **optimizer)
        trainer.remove_callback(PrinterCallback)  # no metrics dict on stdout
        return trainer

    with tempfile.TemporaryDirectory() as out:
        make(warmup, out).train()
        trainer = make(steps, out)
        window = _StepWindow(collator)
        trainer.add_callback(window)
        trainer.train()
    return window.tokens / window.seconds


class _StepWindow(TrainerCallback):
    """A Trainer callback timing from just before the first step (optimiser, scheduler and data
    loader already built) to just after the last, counting the tokens collated in between."""

    def __init__(self, collator: _CountingCollator) -> None:
        self.collator, self.start, self.seconds, self.tokens = collator, 0.0, 0.0, 0

    def on_train_begin(self, args, state, control, **kwargs) -> None:
        _sync()
        self.collator.tokens = 0
        self.start = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs) -> None:
        if state.global_step == state.max_steps:
            _sync()
            self.seconds = time.perf_counter() - self.start
            self.tokens = self.collator.tokens


class _ListDataset(torch.utils.data.Dataset):
    def __init__(self, features: list[dict[str, Any]], lengths: list[int]) -> None:
        self.features, self.lengths = features, lengths

    def __len__(self) -> int:
        return len(self.features)

    def __getitem__(self, i: int) -> dict[str, Any]:
        return self.features[i]


def _sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def model_flops_per_token(model: MultiTaskModel, seq_len: int) -> float:
    cfg = model.encoder.config
    embeddings = sum(p.numel() for n, p in model.encoder.named_parameters() if "embeddings" in n)
    n_params = sum(p.numel() for p in model.parameters()) - embeddings
    return 6 * n_params + 12 * cfg.num_hidden_layers * cfg.hidden_size * seq_len


def peak_flops(device_name: str, override_tflops: float | None) -> float | None:
    if override_tflops:
        return override_tflops * 1e12
    for key, tflops in PEAK_BF16_TFLOPS.items():
        if key in device_name:
            return tflops * 1e12
    return None


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", choices=["tiny", "large"], default="tiny")
    parser.add_argument("--steps", type=int, default=None, help="timed optimiser steps (default 200 tiny, 30 large)")
    parser.add_argument("--warmup", type=int, default=None, help="untimed steps first (default 20 tiny, 5 large)")
    parser.add_argument("--batch-size", type=int, default=None, help="default 16 tiny, 32 large")
    parser.add_argument("--seq-len", type=int, default=256, help="large config only")
    parser.add_argument("--device", default="auto", help="auto | cpu | cuda")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (tiny default: 1)")
    parser.add_argument("--peak-tflops", type=float, default=None, help="override the GPU's bf16 peak for MFU")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repeats, alternating order (default 3)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)

    large = args.config == "large"
    steps = args.steps or (30 if large else 200)
    warmup = args.warmup or (5 if large else 20)
    batch = args.batch_size or (32 if large else 16)
    runtime = Runtime.resolve(args.device)
    if large and runtime.device.type != "cuda":
        parser.error("--config large needs a CUDA device")
    if args.threads or not large:
        torch.set_num_threads(args.threads or 1)

    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    set_seed(0)
    setup = large_setup(batch, args.seq_len, n_examples=batch * 8) if large else tiny_setup(batch)
    setup.model.to(runtime.device)
    state = {k: v.detach().clone() for k, v in setup.model.state_dict().items()}

    loops = {
        "ours": lambda: run_ours(setup, state, steps, warmup, args.device),
        "trainer_matched": lambda: run_trainer(setup, state, steps, warmup, args.device, matched=True),
        "trainer_defaults": lambda: run_trainer(setup, state, steps, warmup, args.device, matched=False),
    }
    names = list(loops)
    runs: list[dict[str, float]] = []
    for repeat in range(max(1, args.repeats)):
        order = names[repeat % 3:] + names[:repeat % 3]  # rotate which loop runs first
        run = {name: loops[name]() for name in order}
        runs.append(run)
        print(f"  repeat {repeat + 1} (order: {', '.join(order)}): "
              + ", ".join(f"{n} {run[n]:,.0f}" for n in names) + " tokens/s; ratios "
              f"{run['ours'] / run['trainer_matched']:.3f} (matched), {run['ours'] / run['trainer_defaults']:.3f} (defaults)",
              flush=True)
    device_name = torch.cuda.get_device_name(runtime.device) if runtime.device.type == "cuda" else "cpu"
    report: dict[str, Any] = {
        "config": setup.name, "device": device_name, "bf16": runtime.bf16, "batch_size": batch, "steps": steps,
        "repeats": len(runs), "torch": torch.__version__, "threads": torch.get_num_threads(),
    }
    for name in names:
        report[f"{name}_tokens_per_s"] = round(statistics.median(r[name] for r in runs), 1)
    for side in ("matched", "defaults"):
        ratios = [r["ours"] / r[f"trainer_{side}"] for r in runs]
        report[f"ratio_{side}"] = {"median": round(statistics.median(ratios), 3), "min": round(min(ratios), 3),
                                   "max": round(max(ratios), 3), "all": [round(x, 3) for x in ratios]}
    if large:
        per_token = model_flops_per_token(setup.model, args.seq_len)
        peak = peak_flops(device_name, args.peak_tflops)
        for name in names:
            achieved = report[f"{name}_tokens_per_s"] * per_token
            report[f"model_tflops_per_s_{name}"] = round(achieved / 1e12, 1)
            if peak:
                report[f"mfu_{name}"] = round(achieved / peak, 4)
        if peak:
            report["peak_tflops"] = peak / 1e12
    print(f"{setup.name} on {device_name} (bf16={runtime.bf16}, batch {batch}, {steps} timed steps, {len(runs)} repeats)")
    for name, label in (("ours", "replication.train"), ("trainer_matched", "Trainer, matched"),
                        ("trainer_defaults", "Trainer, defaults")):
        print(f"  {label:<18} (median): {report[f'{name}_tokens_per_s']:10,.0f} tokens/s")
    for side, what in (("matched", "the loops' own overhead"), ("defaults", "Trainer as it ships")):
        r = report[f"ratio_{side}"]
        print(f"  ratio ours/Trainer {side}: median {r['median']:.3f}, range {r['min']:.3f}–{r['max']:.3f} ({what})")
    if "mfu_ours" in report:
        print(f"  MFU ours {report['mfu_ours']:.1%}, Trainer matched {report['mfu_trainer_matched']:.1%}, "
              f"defaults {report['mfu_trainer_defaults']:.1%} (peak {report['peak_tflops']:.0f} TFLOP/s)")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
