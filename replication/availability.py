"""Which XTREME files a data folder holds, and exactly where the missing ones are expected.

Paths follow the official layout the XTREME download scripts fill (``download/``), as the
task registry records it. Kept free of torch so that checks are instant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from replication.data import split_path
from replication.tasks import Task, TaskFormat, benchmark_tasks, get_task

DATA_SETTING = "CLAIMTRACE_XTREME_DATA_DIR"
CHECK_COMMAND = "claimtrace xtreme check --data-dir DIR"


def expected_files(task: Task, split: str, lang: str, root: Path) -> list[Path]:
    """The file(s) one split of one language needs (BUCC and Tatoeba: several per stem)."""
    path = split_path(task, split, lang, root)  # type: ignore[arg-type]
    if task.name == "bucc2018":
        suffixes = [lang, "en", "gold"]
    elif task.name == "tatoeba":
        suffixes = [lang, "en"]
    else:
        return [path]
    return [path.with_name(f"{path.name}.{suffix}") for suffix in suffixes]


def _missing(task: Task, split: str, lang: str, root: Path) -> list[Path]:
    return [p for p in expected_files(task, split, lang, root) if not p.is_file()]


@dataclass
class TaskAvailability:
    task: str
    present: list[str] = field(default_factory=list)
    """Languages whose evaluation files are all there."""
    missing: dict[str, list[Path]] = field(default_factory=dict)
    """Language (``train`` for the English training file) → the files expected and absent."""


def survey(root: Path, split: str = "test") -> list[TaskAvailability]:
    """Every XTREME target: the languages present and, per missing one, the paths expected."""
    out = []
    for task in benchmark_tasks("xtreme"):
        entry = TaskAvailability(task.name)
        if task.format is not TaskFormat.retrieval:
            train = _missing(task, "train", task.train_language, root)
            if train:
                entry.missing["train"] = train
        for lang in task.languages:
            if task.name == "tatoeba" and lang == "en":
                continue
            gone = _missing(task, split, lang, root)
            if task.name == "bucc2018":
                gone += _missing(task, "dev", lang, root)
            if gone:
                entry.missing[lang] = gone
            else:
                entry.present.append(lang)
        out.append(entry)
    return out


def missing_for(targets: list[tuple[str, list[str]]], intermediates: list[str], root: Path,
                intermediate_root: Path, split: str = "test") -> list[Path]:
    """Every file a run of these targets (name, languages) and intermediate tasks needs and lacks."""
    gone: list[Path] = []
    for name, languages in targets:
        task = get_task(name, "xtreme")
        if task.format is not TaskFormat.retrieval:
            gone += _missing(task, "train", task.train_language, root)
        for lang in languages:
            gone += _missing(task, split, lang, root)
            if task.name == "bucc2018":
                gone += _missing(task, "dev", lang, root)
    for name in intermediates:
        gone += _missing(get_task(name), "train", "en", intermediate_root)
    return gone


def missing_data_message(missing: list[Path], root: Path) -> str:
    """What is missing, where the data is looked for and what to do next."""
    more = f" and {len(missing) - 1} more file(s)" if len(missing) > 1 else ""
    return (
        f"missing XTREME data: {missing[0]}{more}. The data folder is {root} (setting {DATA_SETTING}, or "
        f"data_dir in a spec); fill it with the XTREME download scripts and run `{CHECK_COMMAND}` "
        "to list every task and language present and the exact path of each missing file"
    )
