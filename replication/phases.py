"""The training phases of one arm and seed: intermediate, target fine-tuning, retrieval.

`PhaseRunner` shares the spec, tokenizer and log between phases; each phase returns a
`PhaseSummary` and writes its predictions in the official layout.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from replication.features import TaskEncoder, encode_sentences
from replication.inputs import PipelineError, TargetData
from replication.models import MultiTaskModel, check_layer
from replication.official import squad_articles, write_prediction
from replication.result import PhaseSummary
from replication.scoring import (
    accuracy,
    bucc_best_threshold,
    margin_scores,
    mine_pairs,
    nearest_neighbours,
    seqeval_f1,
    squad_em_f1,
)
from replication.spec import ReplicationSpec
from replication.tasks import Task, TaskFormat
from replication.train import ProgressCallback, TaskStream, TrainConfig, embed, predict, set_seed, train


class Progress:
    """Maps per-phase fractions onto the whole experiment for the caller's callback."""

    def __init__(self, callback: ProgressCallback | None, units: int) -> None:
        self.callback, self.units, self.done = callback, max(units, 1), 0

    def phase(self, label: str) -> ProgressCallback:
        def report(_: str, fraction: float, info: dict[str, Any]) -> None:
            if self.callback:
                self.callback(label, min(1.0, (self.done + fraction) / self.units), {**info, "phase_fraction": fraction})

        return report

    def finish_unit(self) -> None:
        self.done += 1


class PhaseRunner:
    """The phases, sharing the spec, tokenizer and log."""

    def __init__(self, spec: ReplicationSpec, tokenizer: Any, pad_id: int, log_path: Path) -> None:
        self.spec, self.tokenizer, self.pad_id, self.log_path = spec, tokenizer, pad_id, log_path
        self.hp = spec.hyperparams

    def _encoder_for(self, task: Task, train_examples: Any = None) -> TaskEncoder:
        is_qa = task.format is TaskFormat.span_qa
        settings = self.hp.for_task(task.name, is_qa=is_qa)
        return TaskEncoder.for_task(
            task, self.tokenizer, train_examples,
            max_length=settings.max_length, doc_stride=self.hp.doc_stride, max_answer_length=self.hp.max_answer_length,
        )

    def _config(self, task_names: list[str], seed: int, checkpoint_dir: Path, phase: str) -> TrainConfig:
        first = self.hp.for_task(task_names[0])
        ev = self.spec.evaluation
        return TrainConfig(
            learning_rate=first.learning_rate or self.hp.learning_rate,
            weight_decay=self.hp.weight_decay,
            adam_betas=self.hp.adam_betas,
            adam_epsilon=self.hp.adam_epsilon,
            warmup_ratio=self.hp.warmup_ratio,
            max_grad_norm=self.hp.max_grad_norm,
            gradient_accumulation_steps=self.hp.gradient_accumulation_steps,
            max_steps=self.hp.max_steps,
            sampling=self.spec.intermediate.sampling,
            sampling_cap=self.spec.intermediate.cap,
            sampling_temperature=self.spec.intermediate.temperature,
            seed=seed,
            device=self.spec.device,
            eval_every=ev.eval_every_steps,
            early_stopping_patience=ev.early_stopping_patience,
            checkpoint_every=self.spec.checkpoint_every,
            checkpoint_dir=checkpoint_dir,
            log_path=self.log_path,
            phase=phase,
        )

    def _stream(self, enc: TaskEncoder, examples: list[Any]) -> TaskStream:
        settings = self.hp.for_task(enc.task.name, is_qa=enc.task.format is TaskFormat.span_qa)
        return TaskStream(enc.task.name, enc.encode(examples, train=True).features, settings.batch_size or 8, settings.epochs or 1)

    def _dev_fn(self, items: list[tuple[TaskEncoder, list[Any]]]) -> Callable[[MultiTaskModel], float] | None:
        cap = self.spec.evaluation.max_dev_examples
        items = [(enc, dev[:cap] if cap else dev) for enc, dev in items if dev]
        if not items:
            return None
        encoded = [(enc, dev, enc.encode(dev, train=False)) for enc, dev in items]

        def evaluate(model: MultiTaskModel) -> float:
            return float(np.mean([dev_score(model, enc, dev, e, self.pad_id, self.hp.eval_batch_size, self.spec.device) for enc, dev, e in encoded]))

        return evaluate

    def intermediate(self, encoder, intermediates, seed: int, ckpt: Path, progress: ProgressCallback, phase: str):
        model = MultiTaskModel(encoder)
        streams, devs = [], []
        for task, train_data, dev in intermediates:
            enc = self._encoder_for(task, train_data)
            model.add_head(task.name, enc.head_kind, enc.num_labels)
            streams.append(self._stream(enc, train_data))
            devs.append((enc, dev or []))
        result = train(model, streams, self._config([t.name for t, _, _ in intermediates], seed, ckpt, phase),
                       pad_id=self.pad_id, evaluate=self._dev_fn(devs), progress=progress)
        return model.encoder, summarise(phase, result)

    def target(self, encoder, target: TargetData, seed: int, pred_dir: Path, ckpt: Path, progress: ProgressCallback, phase: str):
        model = MultiTaskModel(copy.deepcopy(encoder))
        set_seed(seed)
        enc = self._encoder_for(target.task, target.train)
        model.add_head(target.task.name, enc.head_kind, enc.num_labels)
        stream = self._stream(enc, target.train or [])
        result = train(model, [stream], self._config([target.task.name], seed, ckpt, phase),
                       pad_id=self.pad_id, evaluate=self._dev_fn([(enc, target.dev or [])]), progress=progress)
        for lang in target.languages:
            examples = target.test[lang]
            encoded = enc.encode(examples, train=False)
            logits = predict(model, target.task.name, encoded.features, pad_id=self.pad_id, batch_size=self.hp.eval_batch_size, device=self.spec.device)
            write_prediction(pred_dir, target.task, lang, enc.decode(examples, encoded, logits))
        return summarise(phase, result)

    def retrieval(self, encoder, target: TargetData, pred_dir: Path) -> None:
        model = MultiTaskModel(encoder)
        layer = check_layer(self.spec.evaluation.retrieval_layer, model.num_layers)

        def vectors(sentences: list[str]) -> np.ndarray:
            feats = encode_sentences(self.tokenizer, sentences, self.hp.max_length)
            return embed(model, feats, layer=layer, pad_id=self.pad_id, batch_size=self.hp.eval_batch_size, device=self.spec.device)

        for lang in target.languages:
            data = target.test[lang]
            if target.task.name == "tatoeba":
                prediction: Any = nearest_neighbours(vectors(data.src), vectors(data.tgt)).tolist()
            else:
                dev = target.bucc_dev[lang] if target.bucc_dev else None
                if dev is None or not dev.gold:
                    raise PipelineError(f"bucc2018 dev-{lang}: the margin threshold is tuned on dev gold pairs; none found")
                threshold = bucc_best_threshold(_bucc_candidates(dev, vectors), dev.gold).threshold
                prediction = [pair for pair, score in _bucc_candidates(data, vectors).items() if score >= threshold]
            write_prediction(pred_dir, target.task, lang, prediction)


def _bucc_candidates(split: Any, vectors: Callable[[list[str]], np.ndarray]) -> dict[tuple[str, str], float]:
    src_ids, tgt_ids = list(split.src), list(split.tgt)
    scores = margin_scores(vectors([split.src[i] for i in src_ids]), vectors([split.tgt[i] for i in tgt_ids]), k=min(4, len(src_ids), len(tgt_ids)))
    return mine_pairs(scores, src_ids, tgt_ids)


def dev_score(model: MultiTaskModel, enc: TaskEncoder, examples: list[Any], encoded: Any, pad_id: int, batch_size: int, device: str) -> float:
    """The task's main metric on dev examples (percent), with the scorer's metric functions."""
    logits = predict(model, enc.task.name, encoded.features, pad_id=pad_id, batch_size=batch_size, device=device)
    predicted = enc.decode(examples, encoded, logits)
    fmt = enc.task.format
    if fmt is TaskFormat.span_qa:
        return squad_em_f1(squad_articles(examples), predicted)["f1"]
    if fmt is TaskFormat.tagging:
        gold = [s.labels for s in examples]
        if enc.task.main_metric == "f1":
            return seqeval_f1(gold, predicted)["f1"]
        return accuracy([t for s in gold for t in s], [t for s in predicted for t in s])["accuracy"]
    if fmt is TaskFormat.multiple_choice:
        return accuracy([ex.label for ex in examples], predicted)["accuracy"]
    return accuracy([ex.label for ex in examples], predicted)["accuracy"]


def _window_mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def summarise(phase: str, result: Any) -> PhaseSummary:
    return PhaseSummary(
        phase=phase,
        steps=result.steps,
        first_loss=_window_mean(result.losses[: max(1, len(result.losses) // 5)]),
        last_loss=_window_mean(result.losses[-max(1, len(result.losses) // 5) :]),
        best_dev_score=result.best_score,
        best_step=result.best_step,
        stopped_early=result.stopped_early,
        tokens_per_second=round(result.tokens_per_second, 1),
    )
