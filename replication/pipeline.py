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
claimed metric's paired per-seed deltas give the verdict (`replication.conclude`,
`replication.verdict`), written with everything else to ``out_dir/result.json``.

Modules: `replication.phases` trains and predicts, `replication.aggregate` averages and
pairs scores, `replication.degenerate` names arms that learnt nothing, `replication.verdict`
holds the statistics and the rule.
"""

from __future__ import annotations

import time
from pathlib import Path

import torch
from transformers import AutoTokenizer

from replication.aggregate import (
    mean_overall,
    mean_scores,
    metric_value,
    paired_deltas,
    score_predictions,
    task_effects,
)
from replication.conclude import conclude
from replication.inputs import ExperimentInputs, PipelineError, gold_labels, load_inputs
from replication.models import MultiTaskModel
from replication.official import write_gold
from replication.phases import PhaseRunner, Progress
from replication.result import PhaseSummary, ReplicationResult, SeedResult
from replication.spec import ReplicationSpec
from replication.tasks import TaskFormat
from replication.train import ProgressCallback, set_seed
from replication.verdict import VERDICT_RULE


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
    tracker = Progress(progress, units)
    runner = PhaseRunner(spec, tokenizer, pad_id, log_path)

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

    found = conclude(spec, targets, seed_results, arms)
    scores = mean_scores(seed_results, arms)
    overall = {arm: mean_overall([s.arms[arm].overall for s in seed_results]) for arm in arms}
    confidence = spec.claimed_effect.confidence if spec.claimed_effect else 0.95
    return ReplicationResult(
        name=spec.name,
        spec=spec.to_dict(),
        seeds=seed_results,
        scores=scores,
        overall=overall,
        deltas=paired_deltas(scores, overall) if "treatment" in arms else {},
        scope=seed_results[0].arms["baseline"].scope,
        task_effects=task_effects(seed_results, confidence, set(found.excluded_tasks)),
        effect=found.effect,
        verdict=found.verdict,
        verdict_reason=found.reason,
        verdict_rule=VERDICT_RULE,
        degenerate=found.degenerate,
        excluded_tasks=found.excluded_tasks,
        caveats=found.caveats,
        duration_s=0.0,
        out_dir=str(out),
    )


def _read_summary(marker: Path) -> PhaseSummary:
    return PhaseSummary.model_validate_json(marker.read_text(encoding="utf-8"))


def _write_summary(marker: Path, summary: PhaseSummary) -> None:
    """Mark a phase finished (its outputs are on disk): a re-run of the same spec skips it."""
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(summary.model_dump_json(), encoding="utf-8")


__all__ = ["PipelineError", "ReplicationResult", "run_experiment"]
