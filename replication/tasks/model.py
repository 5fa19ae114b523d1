"""The task record: what a task is, independent of any benchmark bookkeeping."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

Category = Literal["classification", "tagging", "qa", "retrieval"]
"""Benchmark categories; XTREME-R's "structured prediction" is called ``tagging`` here."""

Split = Literal["train", "dev", "test"]


class TaskFormat(str, Enum):
    """The on-disk/example shape of a task; decides the reader and the model head."""

    pair_classification = "pair_classification"
    single_classification = "single_classification"
    tagging = "tagging"
    span_qa = "span_qa"
    multiple_choice = "multiple_choice"
    retrieval = "retrieval"


class Head(str, Enum):
    """The model head a task is trained with (``none`` for embedding-only retrieval)."""

    sequence_classification = "sequence_classification"
    token_classification = "token_classification"
    question_answering = "question_answering"
    multiple_choice = "multiple_choice"
    none = "none"


_HEAD_BY_FORMAT = {
    TaskFormat.pair_classification: Head.sequence_classification,
    TaskFormat.single_classification: Head.sequence_classification,
    TaskFormat.tagging: Head.token_classification,
    TaskFormat.span_qa: Head.question_answering,
    TaskFormat.multiple_choice: Head.multiple_choice,
    TaskFormat.retrieval: Head.none,
}


class UnknownTaskError(KeyError):
    """Raised for a task (or benchmark) name the registry does not know."""

    def __init__(self, name: str, known: list[str], kind: str = "task") -> None:
        self.name = name
        self.known = sorted(known)
        self.kind = kind
        super().__init__(name)

    def __str__(self) -> str:  # KeyError would repr() the message otherwise
        return f"unknown {self.kind} {self.name!r}; known: {', '.join(self.known)}"


@dataclass(frozen=True)
class FileLayout:
    """Where a task's splits live, relative to the data root the XTREME download
    scripts fill (``download/``).

    Patterns take ``{lang}``; ``None`` means the split does not exist on disk
    (e.g. a retrieval task has no training file). Retrieval tasks whose split is
    several files (BUCC, Tatoeba) give the stem the reader completes.
    """

    train: str | None = None
    dev: str | None = None
    test: str | None = None

    def pattern(self, split: Split) -> str | None:
        return {"train": self.train, "dev": self.dev, "test": self.test}[split]


@dataclass(frozen=True)
class Task:
    """One task the replication pipeline can train on or evaluate.

    ``metrics`` lists metric names with the main one first; ``languages`` are the
    evaluation languages (``("en",)`` for an English intermediate task).
    ``labels`` is the ordered label list for classification/tagging tasks whose
    label set is fixed, else ``None``.
    """

    name: str
    display_name: str
    format: TaskFormat
    category: Category
    metrics: tuple[str, ...]
    languages: tuple[str, ...]
    layout: FileLayout
    labels: tuple[str, ...] | None = None
    num_choices: int | None = None
    is_intermediate: bool = False
    train_language: str = "en"
    aliases: tuple[str, ...] = ()
    max_seq_length: int = 256
    note: str = ""
    benchmarks: tuple[str, ...] = field(default=())

    @property
    def head(self) -> Head:
        return _HEAD_BY_FORMAT[self.format]

    @property
    def num_labels(self) -> int | None:
        return len(self.labels) if self.labels is not None else None

    @property
    def main_metric(self) -> str:
        return self.metrics[0]

    @property
    def prediction_suffix(self) -> str:
        """File suffix of this task's prediction/label files in an XTREME submission."""
        return "json" if self.format is TaskFormat.span_qa or self.name in _JSON_RETRIEVAL else "tsv"


_JSON_RETRIEVAL = frozenset({"mewslix", "lareqa"})
