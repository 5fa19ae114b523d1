"""Calibration of verdict probabilities: temperature scaling and expected calibration error.

A :class:`TemperatureCalibrator` rescales a probability vector ``p`` to ``softmax(log p / T)``;
``T`` is fitted on held-back labelled data by minimising the negative log-likelihood. It is
stored as ``calibration.json`` next to the NLI model it belongs to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CALIBRATION_FILE = "calibration.json"
_EPS = 1e-6


@dataclass(frozen=True, slots=True)
class TemperatureCalibrator:
    """``softmax(log p / temperature)``; temperature 1 is the identity."""

    temperature: float = 1.0
    fitted_on: int = 0
    ece_before: float | None = None
    ece_after: float | None = None

    def apply(self, probs: np.ndarray) -> np.ndarray:
        probs = np.atleast_2d(np.asarray(probs, dtype=np.float64))
        logits = np.log(np.clip(probs, _EPS, 1.0)) / self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    @classmethod
    def fit(cls, probs: np.ndarray, labels: np.ndarray) -> "TemperatureCalibrator":
        """Fit the temperature minimising NLL of ``labels`` (class indices) on a log grid."""
        probs = np.asarray(probs, dtype=np.float64)
        labels = np.asarray(labels, dtype=np.int64)
        if len(probs) == 0:
            return cls()
        grid = np.exp(np.linspace(np.log(0.05), np.log(20.0), 400))
        nll = [_nll(cls(t).apply(probs), labels) for t in grid]
        best = float(grid[int(np.argmin(nll))])
        return cls(
            temperature=best,
            fitted_on=len(labels),
            ece_before=expected_calibration_error(probs, labels),
            ece_after=expected_calibration_error(cls(best).apply(probs), labels),
        )

    def save(self, folder: Path) -> Path:
        path = Path(folder) / CALIBRATION_FILE
        path.write_text(json.dumps({"method": "temperature", "temperature": self.temperature,
                                    "fitted_on": self.fitted_on, "ece_before": self.ece_before,
                                    "ece_after": self.ece_after}, indent=2))
        return path

    @classmethod
    def load(cls, folder: Path) -> "TemperatureCalibrator | None":
        """The calibrator stored in ``folder``, or ``None`` if there is none."""
        path = Path(folder) / CALIBRATION_FILE
        if not path.is_file():
            return None
        data = json.loads(path.read_text())
        if data.get("method") != "temperature" or not data.get("temperature", 0) > 0:
            raise ValueError(f"{path}: expected a positive 'temperature' for method 'temperature'")
        return cls(float(data["temperature"]), int(data.get("fitted_on", 0)),
                   data.get("ece_before"), data.get("ece_after"))


def _nll(probs: np.ndarray, labels: np.ndarray) -> float:
    return float(-np.mean(np.log(np.clip(probs[np.arange(len(labels)), labels], _EPS, 1.0))))


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    """ECE with equal-width confidence bins over the predicted class's probability."""
    probs = np.atleast_2d(np.asarray(probs, dtype=np.float64))
    labels = np.asarray(labels, dtype=np.int64)
    if len(labels) == 0:
        return 0.0
    confidence = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(np.float64)
    return confidence_ece(confidence, correct, bins)


def confidence_ece(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """ECE from per-item confidence of the chosen answer and whether it was right."""
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    if len(confidence) == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.mean() * abs(confidence[mask].mean() - correct[mask].mean())
    return float(total)
