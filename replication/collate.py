"""Dynamic padding: a list of tokenised features → a batch of tensors padded to its longest member."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from replication.models import IGNORE_INDEX

# Keys padded with something other than the tokenizer's pad id.
_PAD_VALUES = {"attention_mask": 0, "token_type_ids": 0, "labels": IGNORE_INDEX}


def feature_length(feature: Mapping[str, Any]) -> int:
    """Tokens of one feature (the longest choice for multiple choice)."""
    ids = feature["input_ids"]
    return max(len(c) for c in ids) if ids and isinstance(ids[0], list) else len(ids)


def pad_batch(features: Sequence[Mapping[str, Any]], pad_id: int, pad_to_multiple_of: int | None = None) -> dict[str, torch.Tensor]:
    """Pad list-valued keys to the batch maximum (rounded up to ``pad_to_multiple_of``);
    scalar keys become 1-d tensors. Multiple-choice ``input_ids`` are lists of lists."""
    longest = max(feature_length(f) for f in features)
    if pad_to_multiple_of:
        longest = -(-longest // pad_to_multiple_of) * pad_to_multiple_of
    batch: dict[str, torch.Tensor] = {}
    for key in features[0]:
        values = [f[key] for f in features]
        if not isinstance(values[0], list):
            batch[key] = torch.tensor(values)
            continue
        fill = _PAD_VALUES.get(key, pad_id)
        if values[0] and isinstance(values[0][0], list):
            batch[key] = torch.tensor([[_pad(c, longest, fill) for c in v] for v in values])
        else:
            batch[key] = torch.tensor([_pad(v, longest, fill) for v in values])
    return batch


def _pad(seq: list[int], length: int, fill: int) -> list[int]:
    return seq + [fill] * (length - len(seq))
