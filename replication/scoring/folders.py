"""Scoring a prediction folder against a label folder, as the official ``evaluate.py``.

Layout: ``DIR/TASK/test-LANG.tsv`` (classification, tagging, BUCC, Tatoeba) or
``.json`` (QA; Mewsli-X and LAReQA rankings). Per language, per task (mean over
the task's languages), per category and overall (mean over tasks of each task's
``avg_metric``; QA tasks count as (EM + F1) / 2). XTREME-R is aggregated the same
way over its ten tasks and four categories (a choice: ``evaluate.py`` has no
XTREME-R mode; Mewsli-X and LAReQA contribute mAP@20).

Differences from ``evaluate.py``, all on inputs it would crash on or silently
mis-score:

* A benchmark task without a prediction folder is listed in ``missing_tasks``;
  ``overall.all_task`` and the score of each category with a missing task are
  then ``None`` (``evaluate.py`` omits those keys). Nothing is averaged over a
  partial task set.
* A missing language file, a line/sentence count that differs from the labels,
  or unparsable JSON raises :class:`ScoringError` naming the file.
* Trailing blank lines at the end of a TSV file are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from os import PathLike
from pathlib import Path
from typing import Any

from replication.tasks import Benchmark, Task, get_benchmark

from . import files
from .errors import ScoringError
from .metrics import accuracy, bucc_f1, map_at_k, seqeval_f1
from .qa import mlqa_em_f1, squad_em_f1

Scores = dict[str, float]


def _same_length(pred_path: Path, label_path: Path, n_pred: int, n_gold: int, unit: str) -> None:
    if n_pred != n_gold:
        raise ScoringError(
            pred_path, f"{n_pred} {unit} but the labels ({label_path}) have {n_gold}"
        )


def _score_classification(pred: Path, gold: Path, lang: str) -> Scores:
    predictions, labels = files.read_lines(pred), files.read_lines(gold)
    _same_length(pred, gold, len(predictions), len(labels), "lines")
    if not labels:
        raise ScoringError(gold, "no examples")
    return accuracy(labels, predictions)


def _score_tagging(pred: Path, gold: Path, lang: str) -> Scores:
    predictions, labels = files.read_tags(pred), files.read_tags(gold)
    _same_length(pred, gold, len(predictions), len(labels), "sentences")
    for i, (p, g) in enumerate(zip(predictions, labels), start=1):
        if len(p) != len(g):
            raise ScoringError(pred, f"sentence {i} has {len(p)} tags but the labels ({gold}) have {len(g)}")
    return seqeval_f1(labels, predictions)


def _score_bucc(pred: Path, gold: Path, lang: str) -> Scores:
    return bucc_f1(files.read_pairs(gold), files.read_pairs(pred))


def _score_squad(pred: Path, gold: Path, lang: str) -> Scores:
    return squad_em_f1(files.read_squad_articles(gold), files.read_answer_map(pred))


def _score_mlqa(pred: Path, gold: Path, lang: str) -> Scores:
    articles, answers = files.read_squad_articles(gold), files.read_answer_map(pred)
    try:
        return mlqa_em_f1(articles, answers, lang)
    except ValueError as exc:
        raise ScoringError(pred, str(exc)) from None


def _score_ranking(pred: Path, gold: Path, lang: str) -> Scores:
    labels = files.read_ranking_map(gold)
    if not labels:
        raise ScoringError(gold, "no queries")
    return map_at_k(labels, files.read_ranking_map(pred), k=20)


_SCORERS: dict[str, Callable[[Path, Path, str], Scores]] = {
    "xnli": _score_classification,
    "pawsx": _score_classification,
    "xcopa": _score_classification,
    "tatoeba": _score_classification,
    "udpos": _score_tagging,
    "panx": _score_tagging,
    "bucc2018": _score_bucc,
    "xquad": _score_squad,
    "tydiqa": _score_squad,
    "mlqa": _score_mlqa,
    "mewslix": _score_ranking,
    "lareqa": _score_ranking,
}


def score_language(task: Task, prediction_file: str | PathLike[str], label_file: str | PathLike[str], lang: str) -> Scores:
    """Metric → value (percent) for one task and language."""
    try:
        scorer = _SCORERS[task.name]
    except KeyError:
        raise ScoringError(prediction_file, f"task {task.name!r} has no official scorer") from None
    pred, gold = Path(prediction_file), Path(label_file)
    for path, role in ((pred, "prediction"), (gold, "label")):
        if not path.is_file():
            raise ScoringError(path, f"missing {role} file for language {lang!r} of task {task.name!r}")
    return scorer(pred, gold, lang)


def task_metric(task: Task, averages: dict[str, float]) -> float:
    """The single number a task contributes to the overall score."""
    if task.category == "qa":
        return (averages["avg_exact_match"] + averages["avg_f1"]) / 2
    for metric in ("f1", "accuracy", "map_at_20"):
        if f"avg_{metric}" in averages:
            return averages[f"avg_{metric}"]
    raise ValueError(f"no main metric among {sorted(averages)} for task {task.name}")


def score_task(task: Task, predictions_dir: str | PathLike[str], labels_dir: str | PathLike[str]) -> dict[str, Any]:
    """``{metric: {lang: value}, avg_<metric>: value, ..., avg_metric: value}`` for one task,
    reading ``<dir>/<task>/test-<lang>.<suffix>`` for every language of ``task``."""
    pred_dir, label_dir = Path(predictions_dir) / task.name, Path(labels_dir) / task.name
    if not label_dir.is_dir():
        raise ScoringError(label_dir, f"no label folder for task {task.name!r}")
    per_metric: dict[str, dict[str, float]] = {}
    for lang in task.languages:
        name = f"test-{lang}.{task.prediction_suffix}"
        for metric, value in score_language(task, pred_dir / name, label_dir / name, lang).items():
            per_metric.setdefault(metric, {})[lang] = value
    result: dict[str, Any] = dict(per_metric)
    averages = {f"avg_{m}": sum(v.values()) / len(v) for m, v in per_metric.items()}
    result.update(averages)
    result["avg_metric"] = task_metric(task, averages)
    return result


TaskSelection = Mapping[str, Iterable[str] | None] | Iterable[str]
"""Task names (aliases allowed), or task name → languages (``None``: all of them)."""


def _select(bench: Benchmark, selection: TaskSelection | None) -> tuple[list[Task], bool]:
    """The benchmark's tasks limited to ``selection`` (benchmark order, official language
    order) and whether that is the whole benchmark with every language."""
    if selection is None:
        return list(bench.tasks), True
    if isinstance(selection, str):
        selection = [selection]
    wanted = dict(selection) if isinstance(selection, Mapping) else dict.fromkeys(selection)
    chosen: dict[str, Task] = {}
    for name, langs in wanted.items():
        task = bench.task(name)
        if task.name in chosen:
            raise ValueError(f"task {task.name!r} is selected twice")
        if langs is not None:
            langs = list(langs)
            unknown = sorted(set(langs) - set(task.languages))
            if unknown:
                raise ValueError(f"languages {unknown} are not {bench.name} languages of task {task.name!r}")
            if not langs:
                raise ValueError(f"empty language selection for task {task.name!r}")
            task = replace(task, languages=tuple(lang for lang in task.languages if lang in langs))
        chosen[task.name] = task
    tasks = [chosen[t.name] for t in bench.tasks if t.name in chosen]
    whole = len(tasks) == len(bench.tasks) and all(
        t.languages == b.languages for t, b in zip(tasks, bench.tasks)
    )
    return tasks, whole


def score_folders(
    predictions_dir: str | PathLike[str],
    labels_dir: str | PathLike[str],
    benchmark: str = "xtreme",
    *,
    tasks: TaskSelection | None = None,
) -> dict[str, Any]:
    """Score a whole submission folder against a label folder.

    Returns ``{"overall": {"all_task": ..., <category>: ...}, "tasks": {task:
    {metric: {lang: value}, "avg_<metric>": ..., "avg_metric": ...}},
    "missing_tasks": [...], "scope": "benchmark" | "subset"}``; scores are
    percentages; an overall or category score is ``None`` when one of its tasks
    has no prediction folder.

    ``tasks`` limits scoring to some of the benchmark's tasks and, per task, some of
    its languages (``{"xnli": ["de", "en"], "panx": None}``). The scope is then
    ``"subset"``: task averages are over the selected languages, ``all_task`` over the
    selected tasks, each category over its selected tasks (``None`` when it has none)
    — numbers not comparable with a full-benchmark score.
    """
    bench = get_benchmark(benchmark)
    selected, whole = _select(bench, tasks)
    pred_root, label_root = Path(predictions_dir), Path(labels_dir)
    for root, role in ((pred_root, "predictions"), (label_root, "labels")):
        if not root.is_dir():
            raise ScoringError(root, f"{role} folder not found")

    scored: dict[str, dict[str, Any]] = {}
    missing: list[str] = []
    for task in selected:
        if not (pred_root / task.name).is_dir():
            missing.append(task.name)
            continue
        scored[task.name] = score_task(task, pred_root, label_root)

    selected_names = {t.name for t in selected}

    def mean_or_none(names: tuple[str, ...]) -> float | None:
        names = tuple(n for n in names if n in selected_names)
        if not names or any(n not in scored for n in names):
            return None
        return sum(scored[n]["avg_metric"] for n in names) / len(names)

    overall: dict[str, float | None] = {"all_task": mean_or_none(bench.task_names)}
    for category, names in bench.categories().items():
        overall[category] = mean_or_none(names)
    return {
        "overall": overall,
        "tasks": scored,
        "missing_tasks": missing,
        "scope": "benchmark" if whole else "subset",
    }
