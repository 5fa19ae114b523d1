"""The experiment end to end on the tiny fixture, the statistics and the verdict rules."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from replication.pipeline import (
    EffectEstimate,
    PipelineError,
    ReplicationResult,
    decide,
    estimate_effect,
    run_experiment,
)
from replication.scoring import score_task
from replication.tasks import get_task


def test_tiny_experiment_end_to_end(make_spec, tmp_path: Path) -> None:
    spec = make_spec()
    calls: list[tuple[str, float, dict]] = []
    result = run_experiment(spec, tmp_path / "run", progress=lambda *a: calls.append(a))

    saved = ReplicationResult.model_validate_json((tmp_path / "run" / "result.json").read_text())
    assert saved == result
    assert {arm for s in result.seeds for arm in s.arms} == {"baseline", "treatment"}

    # Per-language scores for both arms, every target; and they are the official scorer's.
    for seed in result.seeds:
        for arm, scores in seed.arms.items():
            assert scores.scope == "subset"
            for target in spec.targets:
                task = replace(get_task(target.task), languages=tuple(target.languages))
                official = score_task(task, tmp_path / "run" / f"seed-{seed.seed}" / arm / "predictions", tmp_path / "run" / "labels")
                assert scores.tasks[task.name] == official
                assert set(official[task.main_metric]) == set(target.languages)
            expected_all = sum(t["avg_metric"] for t in scores.tasks.values()) / len(scores.tasks)
            assert scores.overall["all_task"] == pytest.approx(expected_all)
    assert set(result.scores["treatment"]["panx"]["f1"]) == {"en", "de"}

    # Training happened and the loss went down where the tiny tasks are learnable.
    phases = {p.phase: p for p in result.seeds[0].phases}
    assert set(phases) == {
        "seed 1 · baseline · xnli", "seed 1 · baseline · panx", "seed 1 · baseline · xquad",
        "seed 1 · treatment · intermediate", "seed 1 · treatment · xnli", "seed 1 · treatment · panx",
        "seed 1 · treatment · xquad",
    }
    for name in ("seed 1 · baseline · panx", "seed 1 · baseline · xquad", "seed 1 · treatment · xquad"):
        assert phases[name].last_loss < 0.8 * phases[name].first_loss, name
    assert result.scores["baseline"]["xquad"]["f1"]["en"] > 50  # English QA is learnt

    # Delta, interval and verdict.
    effect = result.effect
    assert effect is not None and effect.n_seeds == 2 and effect.metric == "overall.all_task"
    deltas = [s.metric["treatment"] - s.metric["baseline"] for s in result.seeds]
    assert effect.deltas == pytest.approx(deltas)
    assert effect.ci_low < effect.mean < effect.ci_high
    assert (result.verdict, result.verdict_reason) == decide(effect)

    # Logs and progress.
    events = [json.loads(line) for line in (tmp_path / "run" / "train.jsonl").read_text().splitlines()]
    assert {e["phase"] for e in events} == {p.phase for s in result.seeds for p in s.phases}
    fractions = [f for _, f, _ in calls]
    assert fractions == sorted(fractions) and calls[-1][:2] == ("done", 1.0)
    assert (tmp_path / "run" / "spec.yaml").exists()


def test_single_intermediate_single_seed_is_inconclusive(make_spec, tmp_path: Path) -> None:
    spec = make_spec(
        intermediate={"tasks": ["mnli"]},
        targets=[{"task": "xnli", "languages": ["de"]}, {"task": "tatoeba", "languages": ["de"]}],
        seeds=[3],
        claimed_effect={"metric": "tasks.tatoeba.avg_metric", "delta": 5.0, "tolerance": 1.0},
    )
    result = run_experiment(spec, tmp_path)
    assert result.effect is not None and result.effect.ci_low is None and result.effect.std is None
    assert result.verdict == "inconclusive" and "one seed" in result.verdict_reason
    seed = result.seeds[0]
    assert seed.delta == pytest.approx(seed.arms["treatment"].tasks["tatoeba"]["avg_metric"] - seed.arms["baseline"].tasks["tatoeba"]["avg_metric"])
    assert (tmp_path / "labels" / "tatoeba" / "test-de.tsv").read_text().splitlines()[:3] == ["0", "1", "2"]


def test_t_interval_matches_the_textbook_formula() -> None:
    effect = estimate_effect([1.0, 2.0, 3.0], "overall.all_task", claimed=2.0, tolerance=0.5, confidence=0.95)
    assert effect.mean == 2.0 and effect.std == pytest.approx(1.0)
    half = 4.302652729911275 * 1.0 / 3 ** 0.5  # t(0.975, df=2) · s / √n
    assert (effect.ci_low, effect.ci_high) == pytest.approx((2.0 - half, 2.0 + half))


def _effect(mean: float, lo: float | None, hi: float | None, claimed: float = 8.7, tol: float = 1.0) -> EffectEstimate:
    return EffectEstimate(metric="m", claimed_delta=claimed, tolerance=tol, confidence=0.95, deltas=[mean],
                          n_seeds=1 if lo is None else 3, mean=mean, std=None, ci_low=lo, ci_high=hi, method="")


@pytest.mark.parametrize(
    ("effect", "verdict", "words"),
    [
        (_effect(8.5, 7.9, 9.1), "replicated", "overlaps the claimed band"),
        (_effect(2.0, 1.0, 3.0), "not_replicated", "entirely below"),
        (_effect(15.0, 12.0, 18.0), "not_replicated", "entirely above"),
        (_effect(4.0, -2.0, 10.0), "inconclusive", "also no effect"),
        (_effect(8.7, None, None), "inconclusive", "one seed"),
        (_effect(-1.5, -2.0, -1.0, claimed=-1.2, tol=0.5), "replicated", "excludes no effect"),
    ],
)
def test_verdict_rules(effect: EffectEstimate, verdict: str, words: str) -> None:
    got, reason = decide(effect)
    assert got == verdict and words in reason


def test_missing_data_and_unlabelled_test_files_are_named(make_spec, tiny_root: Path, tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match=r"target xnli: .*missing-root/xnli/test-en\.tsv"):
        run_experiment(make_spec(data_dir=str(tmp_path / "missing-root")), tmp_path / "a")
    root = tmp_path / "unlabelled"
    (root / "xnli").mkdir(parents=True)
    for name in ("train-en.tsv", "dev-en.tsv"):
        (root / "xnli" / name).write_text((tiny_root / "data" / "xnli" / name).read_text())
    (root / "xnli" / "test-de.tsv").write_text("ein Hund\tein Baum\n")
    spec = make_spec(data_dir=str(root), intermediate={"tasks": []}, targets=[{"task": "xnli", "languages": ["de"]}])
    with pytest.raises(PipelineError, match=r"xnli test-de: 1 unlabelled examples .*eval_split=dev"):
        run_experiment(spec, tmp_path / "b")


def test_a_claimed_metric_on_a_task_that_is_not_run_is_refused(make_spec, tmp_path: Path) -> None:
    spec = make_spec(claimed_effect={"metric": "tasks.udpos.avg_metric", "delta": 1.0})
    with pytest.raises(PipelineError, match="names a task that is not a target"):
        run_experiment(spec, tmp_path)
