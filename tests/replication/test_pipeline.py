"""The experiment end to end on the tiny fixture, the statistics and the verdict rules."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from transformers import AutoTokenizer

from replication.data import BuccSplit, TatoebaSplit
from replication.inputs import MissingDataError, TargetData, gold_labels
from replication.models import MultiTaskModel
from replication.official import write_gold
from replication.aggregate import coverage_caveat, score_predictions
from replication.phases import PhaseRunner
from replication.pipeline import PipelineError, ReplicationResult, run_experiment
from replication.scoring import score_task
from replication.verdict import VERDICT_RULE, decide
from replication.tasks import benchmark_tasks, get_task

MOCK = Path(__file__).resolve().parents[1] / "fixtures" / "xtreme-mock"


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

    # The random-weight fixture encoder learns nothing on some tasks: those are named and left out.
    assert result.excluded_tasks and set(result.excluded_tasks) <= {t.task for t in spec.targets}
    assert "xquad" not in result.excluded_tasks  # English QA is learnt
    for task in result.excluded_tasks:
        assert not result.task_effects[task].included
        assert any(f.task == task for f in result.degenerate)
        assert any(c.startswith(f"{task} left out of the verdict: ") for c in result.caveats)
    kept = [t for t in result.task_effects if t not in result.excluded_tasks]
    assert all(result.task_effects[t].included for t in kept)

    # Delta over the included tasks, interval and verdict.
    effect = result.effect
    assert effect is not None and effect.n_seeds == 2
    assert effect.metric.startswith("overall.all_task without ")
    assert set(effect.metric.removeprefix("overall.all_task without ").split(", ")) == set(result.excluded_tasks)
    deltas = [sum(s.arms["treatment"].tasks[t]["avg_metric"] - s.arms["baseline"].tasks[t]["avg_metric"] for t in kept) / len(kept)
              for s in result.seeds]
    assert effect.deltas == pytest.approx(deltas)
    assert effect.ci_low < effect.mean < effect.ci_high
    assert result.verdict_rule == VERDICT_RULE
    assert result.verdict == decide(effect)[0] or "the intermediate phase learnt nothing" in result.verdict_reason
    # The tiny run covers a subset of XTREME: the reader is told the overall delta is not the benchmark's.
    assert result.scope == "subset"
    assert any(c.startswith("overall.all_task here averages the run's subset") for c in result.caveats)
    xquad = result.task_effects["xquad"]
    assert xquad.deltas == pytest.approx([s.arms["treatment"].tasks["xquad"]["avg_metric"] - s.arms["baseline"].tasks["xquad"]["avg_metric"] for s in result.seeds])

    # Seed means of the overall scores per arm, and per-language deltas (treatment − baseline).
    for arm in ("baseline", "treatment"):
        assert result.overall[arm]["all_task"] == pytest.approx(sum(s.metric[arm] for s in result.seeds) / 2)
    assert result.deltas["overall"]["all_task"] == pytest.approx(sum(s.delta for s in result.seeds) / 2)
    for lang in ("en", "de"):
        per_seed = [s.arms["treatment"].tasks["panx"]["f1"][lang] - s.arms["baseline"].tasks["panx"]["f1"][lang] for s in result.seeds]
        assert result.deltas["panx"]["f1"][lang] == pytest.approx(sum(per_seed) / 2)
    assert result.deltas["xquad"]["avg_metric"] == pytest.approx(
        result.scores["treatment"]["xquad"]["avg_metric"] - result.scores["baseline"]["xquad"]["avg_metric"]
    )

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
    assert result.verdict == "inconclusive"
    if "tatoeba" in result.excluded_tasks:  # at chance with the random fixture encoder
        assert result.effect is None and "degenerate task" in result.verdict_reason
    else:
        assert result.effect is not None and result.effect.ci_low is None and result.effect.std is None
        assert "one seed" in result.verdict_reason
    seed = result.seeds[0]
    assert seed.delta == pytest.approx(seed.arms["treatment"].tasks["tatoeba"]["avg_metric"] - seed.arms["baseline"].tasks["tatoeba"]["avg_metric"])
    assert (tmp_path / "labels" / "tatoeba" / "test-de.tsv").read_text().splitlines()[:3] == ["0", "1", "2"]


def test_the_coverage_caveat_names_what_the_run_left_out() -> None:
    full = [TargetData(t, list(t.languages), None, None, {}) for t in benchmark_tasks("xtreme")]
    assert coverage_caveat("overall.all_task", full) is None
    some = [TargetData(get_task("xnli"), ["de", "en"], None, None, {}), TargetData(get_task("pawsx"), list(get_task("pawsx").languages), None, None, {})]
    assert coverage_caveat("overall.classification", some) == (
        "overall.classification here averages the run's subset of xtreme (only some languages of xnli), "
        "so the measured delta is not the benchmark figure the claim states"
    )
    assert "tasks udpos, panx, xquad, mlqa, tydiqa, bucc2018, tatoeba not run" in coverage_caveat("overall.all_task", some)
    assert coverage_caveat("tasks.pawsx.avg_metric", some) is None
    assert coverage_caveat("tasks.xnli.accuracy.de", some) is None  # one language's score is what it is


def test_missing_data_and_unlabelled_test_files_are_named(make_spec, tiny_root: Path, tmp_path: Path) -> None:
    with pytest.raises(MissingDataError, match=r"missing XTREME data: .*missing-root/xnli/train-en\.tsv and \d+ more") as caught:
        run_experiment(make_spec(data_dir=str(tmp_path / "missing-root")), tmp_path / "a")
    assert "CLAIMTRACE_XTREME_DATA_DIR" in str(caught.value) and "claimtrace xtreme check --data-dir DIR" in str(caught.value)
    assert tmp_path / "missing-root" / "xnli" / "test-de.tsv" in caught.value.missing
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


def test_a_full_benchmark_run_is_scored_by_score_folders() -> None:
    targets = [TargetData(t, list(t.languages), None, None, {}) for t in benchmark_tasks("xtreme")]
    scores = score_predictions(MOCK / "predictions", MOCK / "labels", targets)
    expected = json.loads((MOCK / "expected-scores.json").read_text())
    assert scores.scope == "benchmark"
    assert scores.overall["all_task"] == pytest.approx(expected["overall"]["all_task"], abs=1e-6)
    assert scores.tasks["udpos"]["avg_metric"] == pytest.approx(expected["tasks"]["udpos"]["avg_metric"], abs=1e-6)

    subset = [TargetData(get_task("xnli"), ["de", "en"], None, None, {})]
    partial = score_predictions(MOCK / "predictions", MOCK / "labels", subset)
    accuracy = partial.tasks["xnli"]["accuracy"]
    assert partial.scope == "subset" and set(accuracy) == {"de", "en"}
    assert partial.overall["all_task"] == pytest.approx((accuracy["de"] + accuracy["en"]) / 2)
    assert partial.overall["classification"] == partial.overall["all_task"] and partial.overall["qa"] is None


def test_a_rerun_skips_finished_phases_and_refuses_another_spec(make_spec, tmp_path: Path) -> None:
    spec = make_spec(
        intermediate={"tasks": ["mnli"]}, seeds=[4],
        targets=[{"task": "xnli", "languages": ["de"]}, {"task": "tatoeba", "languages": ["de"]}],
    )
    first = run_experiment(spec, tmp_path)
    (tmp_path / "seed-4" / "treatment" / "xnli.done.json").unlink()  # as if interrupted during that phase
    log = tmp_path / "train.jsonl"
    before = len(log.read_text().splitlines())
    second = run_experiment(spec, tmp_path)
    rerun_phases = {json.loads(line)["phase"] for line in log.read_text().splitlines()[before:]}
    assert rerun_phases == {"seed 4 · treatment · xnli"}
    assert second.scores == first.scores  # the phase-2 encoder came back from disk unchanged
    assert (tmp_path / "seed-4" / "intermediate-encoder" / "config.json").exists()
    with pytest.raises(PipelineError, match="holds a run of a different spec"):
        run_experiment(spec.model_copy(update={"seeds": [5]}), tmp_path)


def test_retrieval_predictions_are_exact_when_translations_are_identical(make_spec, tiny_root: Path, tmp_path: Path) -> None:
    """With each 'translation' equal to its source, nearest neighbours and mined pairs must be the gold ones."""
    sentences = [line.split("\t")[0] for line in (tiny_root / "data/xnli/test-en.tsv").read_text().splitlines()]
    sentences = list(dict.fromkeys(sentences))[:12]
    tatoeba = TargetData(get_task("tatoeba"), ["de"], None, None, {"de": TatoebaSplit(sentences, list(sentences))})

    def bucc(prefix: str) -> BuccSplit:
        src = {f"de-{prefix}{i}": s for i, s in enumerate(sentences)}
        tgt = {f"en-{prefix}{i}": s if i % 2 == 0 else f"{s} {s}" for i, s in enumerate(sentences)}
        return BuccSplit(src, tgt, [(f"de-{prefix}{i}", f"en-{prefix}{i}") for i in range(0, len(sentences), 2)])

    bucc_target = TargetData(get_task("bucc2018"), ["de"], None, None, {"de": bucc("t")}, {"de": bucc("d")})
    spec = make_spec()
    tokenizer = AutoTokenizer.from_pretrained(spec.model)
    runner = PhaseRunner(spec, tokenizer, tokenizer.pad_token_id, tmp_path / "log.jsonl")
    encoder = MultiTaskModel.from_pretrained(spec.model).encoder
    labels = tmp_path / "labels"
    for target in (tatoeba, bucc_target):
        runner.retrieval(encoder, target, tmp_path / "pred")
        write_gold(labels, target.task, "de", gold_labels(target.task, target.test["de"], "test"))
    scores = score_predictions(tmp_path / "pred", labels, [tatoeba, bucc_target])
    assert scores.tasks["tatoeba"]["accuracy"]["de"] == 100.0
    assert scores.tasks["bucc2018"]["f1"]["de"] == 100.0
