"""Writing predictions and gold labels in the official XTREME submission layout.

``DIR/TASK/test-LANG.tsv`` holds one label per line (XNLI, PAWS-X), one tag per
line with a blank line after each sentence (PAN-X, UD-POS), one retrieved index
per line (Tatoeba) or ``src_id<TAB>tgt_id`` pairs (BUCC); ``.json`` holds
``{question_id: answer}`` predictions or SQuAD-format gold (QA). The files are
read back by `replication.scoring`, which is the only place scores come from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from replication.data import QAExample, TaggedSentence
from replication.tasks import Task, TaskFormat


def submission_file(root: Path, task: Task, lang: str) -> Path:
    path = root / task.name / f"test-{lang}.{task.prediction_suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_lines(path: Path, values: Iterable[Any]) -> None:
    path.write_text("".join(f"{v}\n" for v in values), encoding="utf-8")


def write_tags(path: Path, sentences: Iterable[Sequence[str]]) -> None:
    path.write_text("".join("".join(f"{t}\n" for t in tags) + "\n" for tags in sentences), encoding="utf-8")


def write_pairs(path: Path, pairs: Iterable[tuple[str, str]]) -> None:
    path.write_text("".join(f"{a}\t{b}\n" for a, b in sorted(pairs)), encoding="utf-8")


def write_answers(path: Path, answers: Mapping[str, str]) -> None:
    path.write_text(json.dumps(dict(answers), ensure_ascii=False, indent=1), encoding="utf-8")


def squad_articles(examples: Sequence[QAExample]) -> list[dict[str, Any]]:
    """SQuAD ``data`` articles rebuilt from examples (one paragraph per distinct context)."""
    paragraphs: dict[tuple[str, str], dict[str, Any]] = {}
    for ex in examples:
        para = paragraphs.setdefault((ex.title, ex.context), {"context": ex.context, "qas": []})
        para["qas"].append(
            {
                "id": ex.qid,
                "question": ex.question,
                "answers": [{"text": a.text, "answer_start": a.start} for a in ex.answers],
            }
        )
    return [{"title": title, "paragraphs": [p]} for (title, _), p in paragraphs.items()]


def write_gold(root: Path, task: Task, lang: str, gold: Any) -> Path:
    """Gold labels of one language, from what `replication.data` read.

    ``gold`` is a list of labels (classification), of `TaggedSentence` (tagging),
    of `QAExample` (QA), of gold indices (Tatoeba) or of pairs (BUCC).
    """
    path = submission_file(root, task, lang)
    if task.format is TaskFormat.span_qa:
        path.write_text(json.dumps({"version": "claimtrace", "data": squad_articles(gold)}, ensure_ascii=False), encoding="utf-8")
    elif task.format is TaskFormat.tagging:
        write_tags(path, [s.labels or [] for s in gold if isinstance(s, TaggedSentence)])
    elif task.name == "bucc2018":
        write_pairs(path, gold)
    else:
        write_lines(path, gold)
    return path


def write_prediction(root: Path, task: Task, lang: str, prediction: Any) -> Path:
    """Predictions of one language (the output of `TaskEncoder.decode`, indices, or pairs)."""
    path = submission_file(root, task, lang)
    if task.format is TaskFormat.span_qa:
        write_answers(path, prediction)
    elif task.format is TaskFormat.tagging:
        write_tags(path, prediction)
    elif task.name == "bucc2018":
        write_pairs(path, prediction)
    else:
        write_lines(path, prediction)
    return path
