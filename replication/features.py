"""Examples (from `replication.data`) → model features, and model outputs → predictions.

One `TaskEncoder` per task: ``encode`` tokenises examples for training or
inference, ``decode`` turns the logits of `train.predict` back into what the
official files hold (a label per example, a tag per word, an answer string per
question id). Features carry model inputs only; what decoding needs (QA offsets,
word ids) stays in `Encoded`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from replication.data import (
    MultipleChoiceExample,
    PairExample,
    QAExample,
    SentenceExample,
    TaggedSentence,
)
from replication.models import IGNORE_INDEX, HeadKind
from replication.tasks import Task, TaskFormat

Feature = dict[str, Any]


@dataclass
class Encoded:
    features: list[Feature]
    example_index: list[int] = field(default_factory=list)
    """Source example of each feature (QA contexts overflow into several features)."""
    offsets: list[list[tuple[int, int] | None]] = field(default_factory=list)
    """QA: character span of each context token (``None`` for question/special tokens)."""
    word_ids: list[list[int | None]] = field(default_factory=list)
    """Tagging: word index of each token."""


@dataclass
class TaskEncoder:
    """Tokenisation and decoding for one task; ``labels`` is the ordered label list."""

    task: Task
    tokenizer: Any
    labels: list[str] | None
    max_length: int
    doc_stride: int = 128
    max_answer_length: int = 30

    @property
    def head_kind(self) -> str:
        return self.task.head.value

    @property
    def num_labels(self) -> int | None:
        return len(self.labels) if self.labels else None

    @classmethod
    def for_task(cls, task: Task, tokenizer: Any, train_examples: Sequence[Any] | None = None, **kw: Any) -> TaskEncoder:
        """Labels from the registry, or (open label sets such as CCG) from the training examples."""
        labels = list(task.labels) if task.labels else None
        if labels is None and task.format is TaskFormat.tagging and train_examples:
            labels = sorted({tag for s in train_examples for tag in (s.labels or [])})
        if labels is None and task.head.value in (HeadKind.sequence_classification, HeadKind.token_classification):
            raise ValueError(f"task {task.name!r}: no label set in the registry and no training data to derive one")
        return cls(task, tokenizer, labels, **kw)

    # ---- encoding ------------------------------------------------------------------

    def encode(self, examples: Sequence[Any], *, train: bool) -> Encoded:
        fmt = self.task.format
        if fmt in (TaskFormat.pair_classification, TaskFormat.single_classification):
            return self._encode_classification(examples, train)
        if fmt is TaskFormat.tagging:
            return self._encode_tagging(examples, train)
        if fmt is TaskFormat.span_qa:
            return self._encode_qa(examples, train)
        if fmt is TaskFormat.multiple_choice:
            return self._encode_multiple_choice(examples, train)
        raise ValueError(f"task {self.task.name!r}: format {fmt.value} is not trained (use encode_sentences)")

    def _label_id(self, label: str | None, train: bool) -> int:
        assert self.labels is not None
        if label is None:
            if train:
                raise ValueError(f"task {self.task.name!r}: unlabelled example in training data")
            return IGNORE_INDEX
        try:
            return self.labels.index(label)
        except ValueError:
            raise ValueError(f"task {self.task.name!r}: unknown label {label!r} (known: {self.labels})") from None

    def _encode_classification(self, examples: Sequence[PairExample | SentenceExample], train: bool) -> Encoded:
        if examples and isinstance(examples[0], PairExample):
            enc = self.tokenizer([e.text_a for e in examples], [e.text_b for e in examples], truncation=True, max_length=self.max_length)
        else:
            enc = self.tokenizer([e.text for e in examples], truncation=True, max_length=self.max_length)
        feats = []
        for i, ex in enumerate(examples):
            f: Feature = {"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i]}
            if train or ex.label is not None:
                f["labels"] = self._label_id(ex.label, train)
            feats.append(f)
        return Encoded(feats, list(range(len(examples))))

    def _encode_tagging(self, sentences: Sequence[TaggedSentence], train: bool) -> Encoded:
        enc = self.tokenizer([s.tokens for s in sentences], is_split_into_words=True, truncation=True, max_length=self.max_length)
        assert self.labels is not None
        index = {label: i for i, label in enumerate(self.labels)}
        out = Encoded([], list(range(len(sentences))))
        for i, sent in enumerate(sentences):
            word_ids = enc.word_ids(i)
            f: Feature = {"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i]}
            if sent.labels is not None:
                labels, previous = [], None
                for w in word_ids:
                    first = w is not None and w != previous
                    labels.append(index.get(sent.labels[w], IGNORE_INDEX) if first else IGNORE_INDEX)
                    previous = w
                f["labels"] = labels
            elif train:
                raise ValueError(f"task {self.task.name!r}: untagged sentence in training data")
            out.features.append(f)
            out.word_ids.append(word_ids)
        return out

    def _encode_qa(self, examples: Sequence[QAExample], train: bool) -> Encoded:
        enc = self.tokenizer(
            [e.question.lstrip() for e in examples],
            [e.context for e in examples],
            truncation="only_second",
            max_length=self.max_length,
            stride=self.doc_stride,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
        )
        out = Encoded([])
        for i, input_ids in enumerate(enc["input_ids"]):
            ex_idx = enc["overflow_to_sample_mapping"][i]
            ex = examples[ex_idx]
            seq_ids = enc.sequence_ids(i)
            offsets = enc["offset_mapping"][i]
            f: Feature = {"input_ids": input_ids, "attention_mask": enc["attention_mask"][i]}
            if train:
                f["start_positions"], f["end_positions"] = _answer_span(ex, seq_ids, offsets)
            out.features.append(f)
            out.example_index.append(ex_idx)
            out.offsets.append([tuple(o) if s == 1 else None for o, s in zip(offsets, seq_ids, strict=True)])
        return out

    def _encode_multiple_choice(self, examples: Sequence[MultipleChoiceExample], train: bool) -> Encoded:
        feats = []
        for ex in examples:
            first = f"{ex.context} {ex.question}".strip()
            enc = self.tokenizer([first] * len(ex.choices), list(ex.choices), truncation=True, max_length=self.max_length)
            f: Feature = {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}
            if ex.label is not None:
                f["labels"] = ex.label
            elif train:
                raise ValueError(f"task {self.task.name!r}: unlabelled example in training data")
            feats.append(f)
        return Encoded(feats, list(range(len(examples))))

    # ---- decoding ------------------------------------------------------------------

    def decode(self, examples: Sequence[Any], encoded: Encoded, logits: Sequence[Any]) -> Any:
        """Predictions in the official file's terms (see the module docstring)."""
        fmt = self.task.format
        if fmt in (TaskFormat.pair_classification, TaskFormat.single_classification):
            assert self.labels is not None
            return [self.labels[int(np.argmax(row))] for row in logits]
        if fmt is TaskFormat.multiple_choice:
            return [int(np.argmax(row)) for row in logits]
        if fmt is TaskFormat.tagging:
            return self._decode_tagging(examples, encoded, logits)
        if fmt is TaskFormat.span_qa:
            return self._decode_qa(examples, encoded, logits)
        raise ValueError(f"task {self.task.name!r}: nothing to decode for format {fmt.value}")

    def _decode_tagging(self, sentences: Sequence[TaggedSentence], encoded: Encoded, logits: Sequence[np.ndarray]) -> list[list[str]]:
        assert self.labels is not None
        fallback = "O" if "O" in self.labels else self.labels[0]  # words cut off by max_length
        out = []
        for sent, word_ids, row in zip(sentences, encoded.word_ids, logits, strict=True):
            tags = [fallback] * len(sent.tokens)
            seen: set[int] = set()
            for pos, w in enumerate(word_ids):
                if w is not None and w not in seen:
                    seen.add(w)
                    tags[w] = self.labels[int(np.argmax(row[pos]))]
            out.append(tags)
        return out

    def _decode_qa(self, examples: Sequence[QAExample], encoded: Encoded, logits: Sequence[tuple[np.ndarray, np.ndarray]], n_best: int = 20) -> dict[str, str]:
        best: dict[int, tuple[float, str]] = {}
        for ex_idx, offsets, (start, end) in zip(encoded.example_index, encoded.offsets, logits, strict=True):
            context = examples[ex_idx].context
            starts = np.argsort(start)[::-1][:n_best]
            ends = np.argsort(end)[::-1][:n_best]
            for s in starts:
                for e in ends:
                    if s >= len(offsets) or e >= len(offsets) or offsets[s] is None or offsets[e] is None:
                        continue
                    if e < s or e - s + 1 > self.max_answer_length:
                        continue
                    score = float(start[s] + end[e])
                    if ex_idx not in best or score > best[ex_idx][0]:
                        best[ex_idx] = (score, context[offsets[s][0] : offsets[e][1]])
        return {ex.qid: best.get(i, (0.0, ""))[1] for i, ex in enumerate(examples)}


def encode_sentences(tokenizer: Any, sentences: Sequence[str], max_length: int) -> list[Feature]:
    """Single sentences for embedding (BUCC, Tatoeba)."""
    enc = tokenizer(list(sentences), truncation=True, max_length=max_length)
    return [{"input_ids": ids, "attention_mask": mask} for ids, mask in zip(enc["input_ids"], enc["attention_mask"], strict=True)]


def _answer_span(ex: QAExample, seq_ids: list[int | None], offsets: list[tuple[int, int]]) -> tuple[int, int]:
    """Token start/end of the first gold answer, or (0, 0) (the ``<s>`` token) when the
    question is unanswerable or the answer lies outside this window."""
    if ex.is_impossible or not ex.answers:
        return 0, 0
    start_char = ex.answers[0].start
    end_char = start_char + len(ex.answers[0].text)
    ctx = [i for i, s in enumerate(seq_ids) if s == 1]
    if not ctx or offsets[ctx[0]][0] > start_char or offsets[ctx[-1]][1] < end_char:
        return 0, 0
    token_start = next(i for i in ctx if offsets[i][1] > start_char)
    token_end = next(i for i in reversed(ctx) if offsets[i][0] < end_char)
    return token_start, max(token_start, token_end)
