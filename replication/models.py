"""A shared pretrained encoder with one small head per task (multi-task intermediate training).

Heads follow the shapes of transformers' ``*ForSequenceClassification`` etc. for
RoBERTa-style encoders; losses are computed in float32 whatever the autocast dtype.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F
from transformers import AutoModel, PreTrainedModel

IGNORE_INDEX = -100


class HeadKind:
    """Head names; the values match `replication.tasks.Head`."""

    sequence_classification = "sequence_classification"
    token_classification = "token_classification"
    question_answering = "question_answering"
    multiple_choice = "multiple_choice"


@dataclass
class HeadOutput:
    loss: torch.Tensor | None
    logits: torch.Tensor | tuple[torch.Tensor, torch.Tensor]


class SequenceClassificationHead(nn.Module):
    """First token → dense → tanh → labels (as RobertaClassificationHead)."""

    def __init__(self, hidden: int, num_labels: int, dropout: float) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.dense = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, num_labels)

    def forward(self, hidden_states: torch.Tensor, labels: torch.Tensor | None = None, **_: torch.Tensor) -> HeadOutput:
        x = self.dropout(hidden_states[:, 0])
        x = self.dropout(torch.tanh(self.dense(x)))
        logits = self.out(x).float()
        loss = F.cross_entropy(logits, labels) if labels is not None else None
        return HeadOutput(loss, logits)


class TokenClassificationHead(nn.Module):
    """One label per token; sub-word continuations carry ``IGNORE_INDEX``."""

    def __init__(self, hidden: int, num_labels: int, dropout: float) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, num_labels)

    def forward(self, hidden_states: torch.Tensor, labels: torch.Tensor | None = None, **_: torch.Tensor) -> HeadOutput:
        logits = self.out(self.dropout(hidden_states)).float()
        loss = None
        if labels is not None:
            loss = F.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=IGNORE_INDEX)
        return HeadOutput(loss, logits)


class QuestionAnsweringHead(nn.Module):
    """Start and end logits per token; the loss averages both cross-entropies."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.out = nn.Linear(hidden, 2)

    def forward(
        self,
        hidden_states: torch.Tensor,
        start_positions: torch.Tensor | None = None,
        end_positions: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        **_: torch.Tensor,
    ) -> HeadOutput:
        start, end = self.out(hidden_states).float().unbind(-1)
        if attention_mask is not None:
            start = start.masked_fill(attention_mask == 0, torch.finfo(start.dtype).min)
            end = end.masked_fill(attention_mask == 0, torch.finfo(end.dtype).min)
        loss = None
        if start_positions is not None and end_positions is not None:
            loss = (F.cross_entropy(start, start_positions) + F.cross_entropy(end, end_positions)) / 2
        return HeadOutput(loss, (start, end))


class MultipleChoiceHead(nn.Module):
    """Scores each (context, choice) sequence's first token; softmax over choices."""

    def __init__(self, hidden: int, dropout: float) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, 1)

    def forward(
        self, hidden_states: torch.Tensor, labels: torch.Tensor | None = None, num_choices: int = 1, **_: torch.Tensor
    ) -> HeadOutput:
        logits = self.out(self.dropout(hidden_states[:, 0])).float().view(-1, num_choices)
        loss = F.cross_entropy(logits, labels) if labels is not None else None
        return HeadOutput(loss, logits)


class MultiTaskModel(nn.Module):
    """``encoder`` (any transformers encoder) plus ``heads[task_name]``."""

    def __init__(self, encoder: PreTrainedModel) -> None:
        super().__init__()
        self.encoder = encoder
        self.heads = nn.ModuleDict()
        self.head_kinds: dict[str, str] = {}

    @classmethod
    def from_pretrained(cls, name_or_path: str | Path, **kwargs) -> MultiTaskModel:
        """Load the encoder only (no pooler: heads read the first token themselves)."""
        encoder = AutoModel.from_pretrained(str(name_or_path), add_pooling_layer=False, **kwargs)
        return cls(encoder)

    @property
    def hidden_size(self) -> int:
        return self.encoder.config.hidden_size

    @property
    def num_layers(self) -> int:
        return self.encoder.config.num_hidden_layers

    def add_head(self, task_name: str, kind: str, num_labels: int | None = None) -> None:
        """Attach a freshly initialised head for ``task_name`` (replaces an existing one)."""
        dropout = getattr(self.encoder.config, "hidden_dropout_prob", 0.1)
        hidden = self.hidden_size
        if kind == HeadKind.sequence_classification:
            head: nn.Module = SequenceClassificationHead(hidden, _need(num_labels, task_name), dropout)
        elif kind == HeadKind.token_classification:
            head = TokenClassificationHead(hidden, _need(num_labels, task_name), dropout)
        elif kind == HeadKind.question_answering:
            head = QuestionAnsweringHead(hidden)
        elif kind == HeadKind.multiple_choice:
            head = MultipleChoiceHead(hidden, dropout)
        else:
            raise ValueError(f"task {task_name!r}: no trainable head for kind {kind!r}")
        std = getattr(self.encoder.config, "initializer_range", 0.02)
        for module in head.modules():
            if isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, std=std)
                nn.init.zeros_(module.bias)
        self.heads[task_name] = head.to(next(self.encoder.parameters()).device)
        self.head_kinds[task_name] = kind

    def forward(self, task_name: str, input_ids: torch.Tensor, attention_mask: torch.Tensor, **targets) -> HeadOutput:
        num_choices = 1
        if input_ids.dim() == 3:  # multiple choice: (batch, choices, length)
            num_choices = input_ids.size(1)
            input_ids, attention_mask = input_ids.flatten(0, 1), attention_mask.flatten(0, 1)
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.heads[task_name](
            hidden, attention_mask=attention_mask, num_choices=num_choices, **targets
        )

    @torch.no_grad()
    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, layer: int) -> torch.Tensor:
        """Mean-pooled hidden states of ``layer`` (0 = embeddings, negative counts from the top)."""
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
        states = out.hidden_states[layer].float()
        mask = attention_mask.unsqueeze(-1).to(states.dtype)
        return (states * mask).sum(1) / mask.sum(1).clamp(min=1.0)


def check_layer(layer: int, num_layers: int) -> int:
    """Validate a hidden-state index against an encoder with ``num_layers`` layers."""
    if not -(num_layers + 1) <= layer <= num_layers:
        raise ValueError(f"retrieval_layer {layer} out of range for a {num_layers}-layer encoder")
    return layer


def _need(num_labels: int | None, task_name: str) -> int:
    if not num_labels:
        raise ValueError(f"task {task_name!r}: a classification head needs num_labels")
    return num_labels
