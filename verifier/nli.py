"""Stance by a cross-encoder: any transformers sequence-classification model, local or hub id.

Labels are read from ``config.id2label`` and mapped onto the three stances this package uses:
``supports`` (entailment), ``contradicts`` and ``neutral``. Names such as ``ENTAILMENT``,
``SUPPORT``, ``entails``, ``CONTRADICT``, ``refutes``, ``NEI`` are recognised; generic
``LABEL_k`` names follow the GLUE/MNLI order (0 entailment, 1 neutral, 2 contradiction).
Two-label models (entailment vs not) map "not" onto ``neutral``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

STANCES: tuple[str, str, str] = ("supports", "contradicts", "neutral")

_ALIASES = {
    "supports": ("entailment", "entail", "entails", "entailed", "support", "supports",
                 "supported", "true", "yes"),
    "contradicts": ("contradiction", "contradict", "contradicts", "contradicted", "refute",
                    "refutes", "refuted", "false"),
    "neutral": ("neutral", "nei", "not_enough_info", "notenoughinfo", "not_entailment",
                "non_entailment", "not_entail", "unknown", "none", "no"),
}
_GENERIC_ORDER = ("supports", "neutral", "contradicts")


class LabelMappingError(ValueError):
    """A model's ``id2label`` cannot be mapped onto supports/contradicts/neutral."""


def map_labels(id2label: dict[int, str] | dict[str, str]) -> dict[int, str]:
    """Map class indices to stances from a config's ``id2label``."""
    labels = {int(k): str(v) for k, v in id2label.items()}
    mapping: dict[int, str] = {}
    generic = all(re.fullmatch(r"label_\d+", v.lower()) for v in labels.values())
    for index, name in labels.items():
        if generic:
            if len(labels) not in (2, 3):
                raise LabelMappingError(f"generic labels need 2 or 3 classes, got {labels}")
            mapping[index] = _GENERIC_ORDER[index] if len(labels) == 3 else ("supports", "neutral")[index]
            continue
        key = re.sub(r"[\s-]+", "_", name.strip().lower())
        stance = next((s for s, names in _ALIASES.items() if key in names), None)
        if stance is None:
            raise LabelMappingError(f"label {index}={name!r} is not an entailment/contradiction/neutral name")
        mapping[index] = stance
    if "supports" not in mapping.values():
        raise LabelMappingError(f"no entailment/support label in {labels}")
    return mapping


class NLIModel:
    """A claim/evidence classifier: ``predict(pairs)`` → probabilities over :data:`STANCES`."""

    def __init__(self, model: str | Path, *, device: str = "cpu", max_length: int = 256,
                 batch_size: int = 16) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.model_id = str(model)
        self.max_length = max_length
        self.batch_size = batch_size
        self.device = device
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(self.model_id)
            self.model = AutoModelForSequenceClassification.from_pretrained(self.model_id)
        except OSError as exc:
            raise FileNotFoundError(f"NLI model {self.model_id!r} cannot be loaded: {exc}") from exc
        self.model.to(device).eval()
        self.label_map = map_labels(self.model.config.id2label)

    def logits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Raw logits (n, num_labels) for (premise=evidence, hypothesis=claim) pairs."""
        import torch

        out: list[np.ndarray] = []
        with torch.inference_mode():
            for start in range(0, len(pairs), self.batch_size):
                batch = pairs[start : start + self.batch_size]
                encoded = self.tokenizer(
                    [p for p, _ in batch], [h for _, h in batch], truncation=True,
                    max_length=self.max_length, padding=True, return_tensors="pt",
                ).to(self.device)
                out.append(self.model(**encoded).logits.float().cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, len(self.label_map)), dtype=np.float32)

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Probabilities (n, 3) in :data:`STANCES` order for (evidence, claim) pairs."""
        logits = self.logits(pairs)
        if not len(logits):
            return np.zeros((0, 3), dtype=np.float64)
        probs = _softmax(logits)
        result = np.zeros((len(probs), 3), dtype=np.float64)
        for index, stance in self.label_map.items():
            result[:, STANCES.index(stance)] += probs[:, index]
        return result


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)
