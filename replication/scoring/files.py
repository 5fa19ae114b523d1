"""Reading XTREME submission files (``TASK/test-LANG.tsv|json``) for scoring.

Each reader names the file (and line) in a :class:`ScoringError` when the file
is missing or malformed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import ScoringError


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScoringError(path, "file not found") from None
    except UnicodeDecodeError as exc:
        raise ScoringError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ScoringError(path, f"cannot read: {exc.strerror}") from None


def read_lines(path: Path) -> list[str]:
    """One stripped value per line, as ``evaluate.py``'s ``read_label``; blank lines
    at the end of the file are dropped (an editor's trailing newline is not an example)."""
    lines = [line.strip() for line in _read_text(path).splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def read_tags(path: Path) -> list[list[str]]:
    """Sentences of tags: one tag per line, sentences separated by blank lines.

    A line holding ``token<TAB>tag`` contributes its last field. Runs of blank
    lines separate once (``evaluate.py`` would add empty sentences, which score
    nothing either way).
    """
    sentences: list[list[str]] = []
    current: list[str] = []
    for line in _read_text(path).splitlines():
        line = line.strip()
        if line:
            current.append(line.rsplit("\t", 1)[-1].strip())
        elif current:
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


def read_json(path: Path) -> Any:
    text = _read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScoringError(path, f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno) from None


def read_squad_articles(path: Path) -> list[dict[str, Any]]:
    """SQuAD-format gold: the ``data`` list (or a bare list of articles)."""
    data = read_json(path)
    articles = data.get("data") if isinstance(data, dict) else data
    if not isinstance(articles, list):
        raise ScoringError(path, "expected SQuAD JSON with a 'data' list of articles")
    for a_idx, article in enumerate(articles):
        try:
            for paragraph in article["paragraphs"]:
                for qa in paragraph["qas"]:
                    if not isinstance(qa["id"], str) or not all(
                        isinstance(ans["text"], str) for ans in qa["answers"]
                    ):
                        raise TypeError
        except (KeyError, TypeError):
            raise ScoringError(
                path, f"article {a_idx}: expected paragraphs → qas with 'id' and 'answers' [{{'text'}}]"
            ) from None
    return articles


def read_answer_map(path: Path) -> dict[str, str]:
    """QA predictions: ``{question_id: answer_text}``."""
    data = read_json(path)
    if not isinstance(data, dict):
        raise ScoringError(path, f"expected a JSON object {{question_id: answer}}, got {type(data).__name__}")
    for qid, answer in data.items():
        if not isinstance(answer, str):
            raise ScoringError(path, f"answer for question {qid!r} is {type(answer).__name__}, not a string")
    return data


def read_ranking_map(path: Path) -> dict[str, list[str]]:
    """Retrieval labels/predictions: ``{query_id: [id, ...]}`` (ranked for predictions)."""
    data = read_json(path)
    if not isinstance(data, dict):
        raise ScoringError(path, f"expected a JSON object {{query_id: [ids]}}, got {type(data).__name__}")
    for qid, ids in data.items():
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ScoringError(path, f"value for {qid!r} must be a list of id strings")
    return data


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """BUCC pairs: ``src_id<TAB>tgt_id`` per line; blank lines are skipped."""
    pairs: list[tuple[str, str]] = []
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        fields = line.split("\t")
        if len(fields) != 2 or not all(fields):
            raise ScoringError(path, f"expected 'src_id<TAB>tgt_id', got {line[:80]!r}", line=number)
        pairs.append((fields[0], fields[1]))
    return pairs
