"""The experiment: baseline vs. intermediate-task treatment over seeds, scored officially.

For every seed and arm:

1. start from the pretrained encoder (``spec.model``);
2. treatment only: intermediate training on the English intermediate task(s),
   one head per task, sampled by ``spec.intermediate.sampling``;
3. for each trainable target: fine-tune a fresh head (and the encoder) on the
   English training data with early stopping on the English dev set, then predict
   every target language zero-shot; BUCC and Tatoeba instead embed sentences with
   the encoder of phase 1/2 (mean-pooled ``evaluation.retrieval_layer``).

Predictions go to ``out_dir/seed-S/ARM/predictions/TASK/test-LANG.*`` and gold labels
to ``out_dir/labels/`` (official layout); `replication.scoring` scores them. The
claimed metric's per-seed deltas give a t-interval and a verdict, written with
everything else to ``out_dir/result.json``.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from pydantic import BaseModel, Field
from scipy import stats
from transformers import AutoTokenizer

from replication.features import TaskEncoder, encode_sentences
from replication.inputs import (
    BENCHMARK,
    ExperimentInputs,
    PipelineError,
    TargetData,
    gold_labels,
    load_inputs,
)
from replication.models import MultiTaskModel, check_layer
from replication.official import squad_articles, write_gold, write_prediction
from replication.scoring import (
    accuracy,
    bucc_best_threshold,
    margin_scores,
    mine_pairs,
    nearest_neighbours,
    score_folders,
    seqeval_f1,
    squad_em_f1,
)
from replication.spec import ReplicationSpec
from replication.tasks import Task, TaskFormat, get_benchmark
from replication.train import (
    ProgressCallback,
    TaskStream,
    TrainConfig,
    embed,
    predict,
    set_seed,
    train,
)

Verdict = Literal["replicated", "not_replicated", "inconclusive"]
# ---- result -------------------------------------------------------------------------


class ArmScores(BaseModel):
    """What the scorer returned for one arm and seed (``tasks`` as `score_task` gives them)."""

    overall: dict[str, float | None]
    tasks: dict[str, dict[str, Any]]
    scope: Literal["benchmark", "subset"]


class PhaseSummary(BaseModel):
    """One training phase; losses are means over its first and last fifth of steps."""

    phase: str
    steps: int
    first_loss: float | None
    last_loss: float | None
    best_dev_score: float | None
    best_step: int | None
    stopped_early: bool
    tokens_per_second: float


class SeedResult(BaseModel):
    seed: int
    arms: dict[str, ArmScores]
    metric: dict[str, float | None] = Field(default_factory=dict, description="claimed metric per arm")
    delta: float | None = None
    phases: list[PhaseSummary] = Field(default_factory=list)


class EffectEstimate(BaseModel):
    metric: str
    claimed_delta: float
    tolerance: float
    confidence: float
    deltas: list[float]
    n_seeds: int
    mean: float
    std: float | None
    ci_low: float | None
    ci_high: float | None
    method: str


class ReplicationResult(BaseModel):
    name: str
    spec: dict[str, Any]
    seeds: list[SeedResult]
    scores: dict[str, dict[str, dict[str, Any]]]
    """arm → task → metric → language → mean over seeds (plus ``avg_metric``)."""
    overall: dict[str, dict[str, float | None]] = Field(default_factory=dict)
    """arm → ``all_task`` / category → mean over seeds (``None`` where not computed)."""
    deltas: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """task → metric → language → mean paired delta (treatment − baseline) over seeds, with
    the ``avg_*`` keys; ``overall`` → ``all_task`` / category. Empty without a treatment."""
    scope: Literal["benchmark", "subset"] = "benchmark"
    """``subset``: only some XTREME tasks or languages were run; ``overall`` scores average
    those, so they are not the benchmark's numbers."""
    effect: EffectEstimate | None
    verdict: Verdict
    verdict_reason: str
    duration_s: float
    out_dir: str


# ---- statistics ---------------------------------------------------------------------


def estimate_effect(deltas: list[float], metric: str, claimed: float, tolerance: float, confidence: float) -> EffectEstimate:
    """Mean delta over seeds with a two-sided Student-t interval (none for a single seed)."""
    n = len(deltas)
    mean = float(np.mean(deltas))
    if n < 2:
        return EffectEstimate(
            metric=metric, claimed_delta=claimed, tolerance=tolerance, confidence=confidence, deltas=deltas,
            n_seeds=n, mean=mean, std=None, ci_low=None, ci_high=None,
            method="one seed: no variance across seeds, so no interval",
        )
    std = float(np.std(deltas, ddof=1))
    half = float(stats.t.ppf((1 + confidence) / 2, df=n - 1)) * std / math.sqrt(n)
    return EffectEstimate(
        metric=metric, claimed_delta=claimed, tolerance=tolerance, confidence=confidence, deltas=deltas,
        n_seeds=n, mean=mean, std=std, ci_low=mean - half, ci_high=mean + half,
        method=f"Student-t {confidence:.0%} interval over {n} paired seeds (treatment − baseline)",
    )


def decide(effect: EffectEstimate) -> tuple[Verdict, str]:
    """Verdict against the band ``claimed ± tolerance``.

    replicated: the interval overlaps the band and excludes zero on the claimed side;
    not_replicated: the interval lies entirely outside the band;
    inconclusive: anything else, and always with one seed (no interval).
    """
    lo_band, hi_band = effect.claimed_delta - effect.tolerance, effect.claimed_delta + effect.tolerance
    band = f"[{lo_band:.2f}, {hi_band:.2f}]"
    if effect.ci_low is None or effect.ci_high is None:
        inside = "inside" if lo_band <= effect.mean <= hi_band else "outside"
        return "inconclusive", (
            f"one seed: measured {effect.mean:+.2f} ({inside} the claimed band {band}), but a single seed gives no interval"
        )
    lo, hi = effect.ci_low, effect.ci_high
    ci = f"{effect.confidence:.0%} CI [{lo:+.2f}, {hi:+.2f}]"
    if hi < lo_band or lo > hi_band:
        side = "below" if hi < lo_band else "above"
        return "not_replicated", f"measured {effect.mean:+.2f}, {ci} lies entirely {side} the claimed band {band}"
    sign_ok = lo > 0 if effect.claimed_delta > 0 else hi < 0 if effect.claimed_delta < 0 else lo_band <= lo and hi <= hi_band
    if sign_ok:
        return "replicated", f"measured {effect.mean:+.2f}, {ci} overlaps the claimed band {band} and excludes no effect"
    return "inconclusive", f"measured {effect.mean:+.2f}, {ci} overlaps the claimed band {band} but also no effect"


def metric_value(scores: ArmScores, path: str) -> float | None:
    """Follow a dotted path (``overall.all_task``, ``tasks.xnli.avg_metric``, ``tasks.panx.f1.de``)."""
    node: Any = {"overall": scores.overall, "tasks": scores.tasks}
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return float(node) if isinstance(node, (int, float)) else None


# ---- the experiment -----------------------------------------------------------------


class _Progress:
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


def run_experiment(
    spec: ReplicationSpec,
    out_dir: str | Path,
    progress: ProgressCallback | None = None,
    *,
    inputs: ExperimentInputs | None = None,
) -> ReplicationResult:
    """Run baseline and treatment for every seed; write and return the result.

    ``inputs`` are the already loaded data (`load_inputs`), read here when not given.
    Running the same spec again in the same ``out_dir`` resumes: finished phases are
    skipped (their predictions and the phase-2 encoder are on disk), an interrupted one
    continues from its last checkpoint.
    """
    started = time.perf_counter()
    inputs = inputs or load_inputs(spec)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    previous = out / "spec.yaml"
    if previous.exists() and ReplicationSpec.load(previous).to_dict() != spec.to_dict():
        raise PipelineError(f"{out} holds a run of a different spec; use another output folder")
    spec.save(previous)
    threads = torch.get_num_threads()
    if spec.cpu_threads:
        torch.set_num_threads(spec.cpu_threads)
    try:
        result = _run(spec, inputs, out, progress)
    finally:
        torch.set_num_threads(threads)
    result.duration_s = round(time.perf_counter() - started, 2)
    (out / "result.json").write_text(result.model_dump_json(indent=2), encoding="utf-8")
    if progress:
        progress("done", 1.0, {"verdict": result.verdict})
    return result


def _run(spec: ReplicationSpec, inputs: ExperimentInputs, out: Path, progress: ProgressCallback | None) -> ReplicationResult:
    targets, intermediates, split = inputs.targets, inputs.intermediates, spec.evaluation.eval_split
    tokenizer = AutoTokenizer.from_pretrained(spec.model)
    pad_id = tokenizer.pad_token_id
    log_path = out / "train.jsonl"

    labels_dir = out / "labels"
    for target in targets:
        for lang in target.languages:
            write_gold(labels_dir, target.task, lang, gold_labels(target.task, target.test[lang], f"{target.task.name} {split}-{lang}"))

    arms = ["baseline", "treatment"] if intermediates else ["baseline"]
    trainable = [t for t in targets if t.task.format is not TaskFormat.retrieval]
    units = len(spec.seeds) * (len(arms) * len(targets) + (1 if intermediates else 0))
    tracker = _Progress(progress, units)
    runner = _Runner(spec, tokenizer, pad_id, log_path)

    seed_results = []
    for seed in spec.seeds:
        seed_dir = out / f"seed-{seed}"
        result = SeedResult(seed=seed, arms={})
        for arm in arms:
            set_seed(seed)
            if arm == "treatment":
                label = f"seed {seed} · treatment · intermediate"
                saved, marker = seed_dir / "intermediate-encoder", seed_dir / "intermediate.done.json"
                if marker.exists():  # finished in an earlier, interrupted run of this spec
                    encoder, summary = MultiTaskModel.from_pretrained(saved).encoder, _read_summary(marker)
                else:
                    encoder, summary = runner.intermediate(
                        MultiTaskModel.from_pretrained(spec.model).encoder, intermediates, seed,
                        seed_dir / "checkpoints" / "intermediate", tracker.phase(label), label,
                    )
                    encoder.save_pretrained(saved)
                    _write_summary(marker, summary)
                result.phases.append(summary)
                tracker.finish_unit()
            else:
                encoder = MultiTaskModel.from_pretrained(spec.model).encoder
            pred_dir = seed_dir / arm / "predictions"
            for target in targets:
                label = f"seed {seed} · {arm} · {target.task.name}"
                if target in trainable:
                    marker = seed_dir / arm / f"{target.task.name}.done.json"
                    if marker.exists():
                        summary = _read_summary(marker)
                    else:
                        ckpt = seed_dir / "checkpoints" / f"{arm}-{target.task.name}"
                        summary = runner.target(encoder, target, seed, pred_dir, ckpt, tracker.phase(label), label)
                        _write_summary(marker, summary)
                    result.phases.append(summary)
                else:
                    runner.retrieval(encoder, target, pred_dir)
                tracker.finish_unit()
            result.arms[arm] = score_predictions(pred_dir, labels_dir, targets)
        if spec.claimed_effect is not None:
            for arm, scores in result.arms.items():
                result.metric[arm] = metric_value(scores, spec.claimed_effect.metric)
            if result.metric.get("treatment") is not None and result.metric.get("baseline") is not None:
                result.delta = result.metric["treatment"] - result.metric["baseline"]
        seed_results.append(result)

    effect, verdict, reason = _conclude(spec, seed_results, arms)
    caveat = coverage_caveat(spec.claimed_effect.metric, targets) if spec.claimed_effect else None
    if caveat and effect is not None:
        reason = f"{reason}; caveat: {caveat}"
    scores = _mean_scores(seed_results, arms)
    overall = {arm: _mean_overall([s.arms[arm].overall for s in seed_results]) for arm in arms}
    return ReplicationResult(
        name=spec.name,
        spec=spec.to_dict(),
        seeds=seed_results,
        scores=scores,
        overall=overall,
        deltas=_deltas(scores, overall) if "treatment" in arms else {},
        scope=seed_results[0].arms["baseline"].scope,
        effect=effect,
        verdict=verdict,
        verdict_reason=reason,
        duration_s=0.0,
        out_dir=str(out),
    )


def _read_summary(marker: Path) -> PhaseSummary:
    return PhaseSummary.model_validate_json(marker.read_text(encoding="utf-8"))


def _write_summary(marker: Path, summary: PhaseSummary) -> None:
    """Mark a phase finished (its outputs are on disk): a re-run of the same spec skips it."""
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(summary.model_dump_json(), encoding="utf-8")


def score_predictions(pred_dir: Path, labels_dir: Path, targets: list[TargetData]) -> ArmScores:
    """Official scores of the run's targets on their evaluated languages (`score_folders`
    limited to them); scope ``subset`` unless the run covers the whole benchmark."""
    scored = score_folders(pred_dir, labels_dir, BENCHMARK, tasks={t.task.name: t.languages for t in targets})
    if scored["missing_tasks"]:
        raise PipelineError(f"{pred_dir}: no predictions for {', '.join(scored['missing_tasks'])}")
    return ArmScores(overall=scored["overall"], tasks=scored["tasks"], scope=scored["scope"])


def _conclude(spec: ReplicationSpec, seeds: list[SeedResult], arms: list[str]) -> tuple[EffectEstimate | None, Verdict, str]:
    claim = spec.claimed_effect
    if claim is None:
        return None, "inconclusive", "the spec states no claimed effect to test"
    if "treatment" not in arms:
        return None, "inconclusive", "no intermediate task: there is no treatment to compare with the baseline"
    deltas = [s.delta for s in seeds if s.delta is not None]
    if len(deltas) < len(seeds):
        return None, "inconclusive", f"metric {claim.metric!r} is not available from the scores (e.g. a category without tasks)"
    effect = estimate_effect(deltas, claim.metric, claim.delta, claim.tolerance, claim.confidence)
    verdict, reason = decide(effect)
    return effect, verdict, reason


def coverage_caveat(metric: str, targets: list[TargetData]) -> str | None:
    """Why the claimed metric, as this run measures it, is not the benchmark's number
    the claim refers to (a subset of tasks or languages); ``None`` when it is."""
    bench = get_benchmark(BENCHMARK)
    ran = {t.task.name: set(t.languages) for t in targets}
    parts = metric.split(".")
    if parts[0] == "overall":
        wanted = bench.task_names if parts[1] == "all_task" else bench.categories().get(parts[1], ())
    elif parts[0] == "tasks" and len(parts) <= 3:  # a task average, not one language's score
        wanted = (parts[1],)
    else:
        return None
    absent = [name for name in wanted if name not in ran]
    partial = [name for name in wanted if name in ran and ran[name] != set(bench.task(name).languages)]
    if not absent and not partial:
        return None
    what = []
    if absent:
        what.append(f"tasks {', '.join(absent)} not run")
    if partial:
        what.append(f"only some languages of {', '.join(partial)}")
    return (
        f"{metric} here averages the run's subset of {bench.name} ({'; '.join(what)}), "
        "so the measured delta is not the benchmark figure the claim states"
    )


def _mean_overall(per_seed: list[dict[str, float | None]]) -> dict[str, float | None]:
    return {
        key: None if any(o[key] is None for o in per_seed) else float(np.mean([o[key] for o in per_seed]))
        for key in per_seed[0]
    }


def _deltas(scores: dict[str, dict[str, dict[str, Any]]], overall: dict[str, dict[str, float | None]]) -> dict[str, dict[str, Any]]:
    """Treatment − baseline of the seed means (equal to the mean of the paired deltas)."""
    base, treat = scores["baseline"], scores["treatment"]
    out: dict[str, dict[str, Any]] = {}
    for task, entry in base.items():
        out[task] = {
            key: {lang: treat[task][key][lang] - v for lang, v in value.items()}
            if isinstance(value, dict)
            else treat[task][key] - value
            for key, value in entry.items()
        }
    b, t = overall["baseline"], overall["treatment"]
    out["overall"] = {key: None if b[key] is None or t[key] is None else t[key] - b[key] for key in b}
    return out


def _mean_scores(seeds: list[SeedResult], arms: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for arm in arms:
        per_task: dict[str, dict[str, Any]] = {}
        for task in seeds[0].arms[arm].tasks:
            entry: dict[str, Any] = {}
            for key, value in seeds[0].arms[arm].tasks[task].items():
                if isinstance(value, dict):
                    entry[key] = {lang: float(np.mean([s.arms[arm].tasks[task][key][lang] for s in seeds])) for lang in value}
                else:
                    entry[key] = float(np.mean([s.arms[arm].tasks[task][key] for s in seeds]))
            per_task[task] = entry
        out[arm] = per_task
    return out


# ---- phases -------------------------------------------------------------------------


class _Runner:
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
        return model.encoder, _summary(phase, result)

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
        return _summary(phase, result)

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


def _summary(phase: str, result: Any) -> PhaseSummary:
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


__all__ = [
    "ArmScores",
    "EffectEstimate",
    "PipelineError",
    "ReplicationResult",
    "SeedResult",
    "coverage_caveat",
    "decide",
    "estimate_effect",
    "metric_value",
    "run_experiment",
    "score_predictions",
]
