"""The training loop: loss goes down, multi-task sampling, logs, progress, checkpoint/resume,
early stopping; and the sampling / batching helpers it relies on."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import AutoTokenizer

from replication.data import load_split
from replication.features import TaskEncoder
from replication.models import MultiTaskModel
from replication.sampling import (
    length_grouped_batches,
    task_probabilities,
    task_schedule,
)
from replication.spec import SamplingScheme
from replication.tasks import get_task
from replication.train import Runtime, TaskStream, TrainConfig, build_optimizer, set_seed, total_steps, train


@pytest.fixture(scope="module")
def streams(tiny_root: Path):
    """Encoded training features of PAN-X (tagging) and HellaSwag (multiple choice)."""
    tokenizer = AutoTokenizer.from_pretrained(tiny_root / "model")
    out = {}
    for name, lang in (("panx", "en"), ("hellaswag", "en")):
        task = get_task(name)
        examples = load_split(task, "train", lang, tiny_root / "data")
        enc = TaskEncoder.for_task(task, tokenizer, examples, max_length=48)
        out[name] = (enc, enc.encode(examples, train=True).features)
    return out, tokenizer.pad_token_id


def _model(tiny_root: Path, encoders, seed: int = 0) -> MultiTaskModel:
    set_seed(seed)
    model = MultiTaskModel.from_pretrained(tiny_root / "model")
    for enc in encoders:
        model.add_head(enc.task.name, enc.head_kind, enc.num_labels)
    return model


def test_task_probabilities_per_scheme() -> None:
    sizes = [1000, 100, 10]
    np.testing.assert_allclose(task_probabilities(sizes, "proportional"), [1000 / 1110, 100 / 1110, 10 / 1110])
    np.testing.assert_allclose(task_probabilities(sizes, "capped_proportional", cap=100), [100 / 210, 100 / 210, 10 / 210])
    np.testing.assert_allclose(task_probabilities(sizes, SamplingScheme.uniform), [1 / 3] * 3)
    t2 = np.sqrt(sizes) / np.sqrt(sizes).sum()
    np.testing.assert_allclose(task_probabilities(sizes, "temperature", temperature=2.0), t2)
    with pytest.raises(ValueError, match="every task needs training examples"):
        task_probabilities([5, 0])
    schedule = task_schedule(task_probabilities(sizes), 5000, seed=1)
    assert abs((schedule == 0).mean() - 1000 / 1110) < 0.02
    assert np.array_equal(schedule, task_schedule(task_probabilities(sizes), 5000, seed=1))


def test_length_grouped_batches_cover_everything_once_with_little_padding() -> None:
    rng = np.random.default_rng(0)
    lengths = rng.integers(5, 200, size=1000).tolist()
    batches = length_grouped_batches(lengths, 16, seed=3, mega_factor=8)
    flat = sorted(i for b in batches for i in b)
    assert flat == list(range(1000))
    assert max(lengths[i] for i in batches[0]) == max(lengths)  # longest first: OOM shows at step one
    padded = sum(len(b) * max(lengths[i] for i in b) for b in batches)
    random_batches = [list(range(i, min(i + 16, 1000))) for i in range(0, 1000, 16)]
    padded_random = sum(len(b) * max(lengths[i] for i in b) for b in random_batches)
    assert padded < 0.75 * padded_random
    assert batches == length_grouped_batches(lengths, 16, seed=3, mega_factor=8)
    assert batches != length_grouped_batches(lengths, 16, seed=4, mega_factor=8)


def test_loss_goes_down_and_every_event_is_a_json_line(tiny_root: Path, streams, tmp_path: Path) -> None:
    data, pad_id = streams
    enc, feats = data["panx"]
    model = _model(tiny_root, [enc])
    seen: list[tuple[str, float, dict]] = []
    log = tmp_path / "log.jsonl"
    config = TrainConfig(learning_rate=3e-3, seed=1, device="cpu", log_every=5, log_path=log, phase="panx")
    result = train(model, [TaskStream("panx", feats, 16, epochs=6)], config, pad_id=pad_id,
                   progress=lambda *a: seen.append(a))
    assert result.steps == total_steps([TaskStream("panx", feats, 16, epochs=6)], config) == 6 * 8
    k = result.steps // 5
    assert np.mean(result.losses[-k:]) < 0.6 * np.mean(result.losses[:k])
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["event"] for e in events][0] == "start" and events[-1]["event"] == "end"
    logged = [e for e in events if e["event"] == "train"]
    assert [e["step"] for e in logged] == list(range(5, result.steps, 5)) + [result.steps]
    assert all(e["loss"] > 0 and e["lr"] >= 0 and e["tokens_per_s"] > 0 for e in logged)
    assert logged[0]["lr"] > logged[-1]["lr"]  # linear decay after the warm-up
    fractions = [f for _, f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and {p for p, _, _ in seen} == {"panx"}
    assert result.tokens > 0 and result.tokens_per_second > 0


def test_multi_task_training_uses_every_head(tiny_root: Path, streams, tmp_path: Path) -> None:
    data, pad_id = streams
    (ner, ner_feats), (mc, mc_feats) = data["panx"], data["hellaswag"]
    model = _model(tiny_root, [ner, mc])
    before = {n: p.detach().clone() for n, p in model.heads.named_parameters()}
    log = tmp_path / "log.jsonl"
    config = TrainConfig(learning_rate=1e-3, seed=2, device="cpu", max_steps=20, log_every=1, log_path=log,
                         sampling=SamplingScheme.uniform, gradient_accumulation_steps=2)
    result = train(model, [TaskStream("panx", ner_feats, 8), TaskStream("hellaswag", mc_feats, 4)], config, pad_id=pad_id)
    assert result.steps == 20  # capped: one epoch each would be ceil((15 + 30) / 2) = 23
    tasks = {json.loads(line).get("task") for line in log.read_text().splitlines()} - {None}
    assert tasks == {"panx", "hellaswag"}
    for name, param in model.heads.named_parameters():
        assert not torch.equal(param, before[name]), f"head parameter {name} never updated"
    start = json.loads(log.read_text().splitlines()[0])
    assert start["probabilities"] == {"panx": 0.5, "hellaswag": 0.5}


def test_resume_from_a_checkpoint_continues_exactly(tiny_root: Path, streams, tmp_path: Path) -> None:
    data, pad_id = streams
    enc, feats = data["panx"]
    stream = [TaskStream("panx", feats, 16, epochs=3)]

    def config(ckpt: Path) -> TrainConfig:
        return TrainConfig(learning_rate=2e-3, seed=5, device="cpu", log_every=1, checkpoint_every=7,
                           checkpoint_dir=ckpt, log_path=ckpt / "log.jsonl")

    straight = _model(tiny_root, [enc])
    full = train(straight, stream, config(tmp_path / "a"), pad_id=pad_id)

    class Crash(Exception):
        pass

    def crash_at_step_10(phase: str, fraction: float, info: dict) -> None:
        if info.get("step") == 10:
            raise Crash

    interrupted = _model(tiny_root, [enc])
    with pytest.raises(Crash):
        train(interrupted, stream, config(tmp_path / "b"), pad_id=pad_id, progress=crash_at_step_10)
    assert (tmp_path / "b" / "last.pt").exists()
    resumed_model = _model(tiny_root, [enc], seed=99)  # different init: the checkpoint must win
    resumed = train(resumed_model, stream, config(tmp_path / "b"), pad_id=pad_id)
    assert resumed.steps == full.steps
    assert resumed.losses == pytest.approx(full.losses, rel=1e-5)
    for (name, a), b in zip(straight.state_dict().items(), resumed_model.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b, msg=f"{name} differs after resume")
    events = [json.loads(line) for line in (tmp_path / "b" / "log.jsonl").read_text().splitlines()]
    assert {"event": "resume", "step": 7}.items() <= next(e for e in events if e["event"] == "resume").items()
    assert not (tmp_path / "b" / "last.pt").exists()  # finished phases leave nothing to resume


def test_early_stopping_restores_the_best_weights(tiny_root: Path, streams) -> None:
    data, pad_id = streams
    enc, feats = data["panx"]
    model = _model(tiny_root, [enc])
    scores = iter([50.0, 40.0, 30.0, 20.0, 10.0])
    snapshot: dict[str, torch.Tensor] = {}

    def evaluate(m: MultiTaskModel) -> float:
        score = next(scores)
        if score == 50.0:
            snapshot.update({k: v.clone() for k, v in m.state_dict().items()})
        return score

    config = TrainConfig(learning_rate=1e-3, seed=1, device="cpu", eval_every=2, early_stopping_patience=2)
    result = train(model, [TaskStream("panx", feats, 16, epochs=5)], config, pad_id=pad_id, evaluate=evaluate)
    assert result.stopped_early and result.steps == 6
    assert result.best_score == 50.0 and result.best_step == 2
    assert result.evaluations == [(2, 50.0), (4, 40.0), (6, 30.0)]
    for name, value in model.state_dict().items():
        torch.testing.assert_close(value, snapshot[name])


def test_training_refuses_a_task_without_a_head(tiny_root: Path, streams) -> None:
    data, pad_id = streams
    model = _model(tiny_root, [data["panx"][0]])
    with pytest.raises(ValueError, match=r"no head for tasks \['hellaswag'\]"):
        train(model, [TaskStream("hellaswag", data["hellaswag"][1], 4)], TrainConfig(device="cpu"), pad_id=pad_id)


def test_cpu_optimizer_is_the_fused_adamw_without_decay_on_norms_and_biases(tiny_root: Path, streams) -> None:
    """On CPU torch's fused AdamW kernel (torch's per-parameter default is a third slower on the
    tiny model, the foreach update about 4 % slower); LayerNorm weights and biases are not decayed."""
    data, _ = streams
    model = _model(tiny_root, [data["panx"][0]])
    config = TrainConfig(device="cpu", weight_decay=0.01)
    optimizer = build_optimizer(model, config, Runtime.resolve("cpu"))
    assert optimizer.defaults["fused"] is True and not optimizer.defaults["foreach"]
    decayed, plain = optimizer.param_groups
    assert decayed["weight_decay"] == 0.01 and plain["weight_decay"] == 0.0
    plain_ids = {id(p) for p in plain["params"]}
    for name, param in model.named_parameters():
        assert (id(param) in plain_ids) == (param.ndim < 2 or "LayerNorm" in name), name
