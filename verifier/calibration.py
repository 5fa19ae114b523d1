"""Calibration of verdict probabilities: temperature and bias scaling, ECE and AUROC.

A :class:`TemperatureCalibrator` rescales a probability vector ``p`` to
``softmax(log p / T + b)`` (a temperature and a per-label bias); both are fitted on held-out
labelled data by minimising the negative log-likelihood. It is stored as ``calibration.json``
next to the NLI model it belongs to, with the fingerprints of the claims it was fitted on.
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
    bias: tuple[float, float, float] = (0.0, 0.0, 0.0)
    claims: tuple[str, ...] = ()  # fingerprints of the claims it was fitted on

    @property
    def model_id(self) -> str:
        if any(self.bias):
            return f"temperature={self.temperature:.3f},bias=" + ",".join(f"{b:+.3f}" for b in self.bias)
        return f"temperature={self.temperature:.3f}"

    def apply(self, probs: np.ndarray) -> np.ndarray:
        probs = np.atleast_2d(np.asarray(probs, dtype=np.float64))
        logits = np.log(np.clip(probs, _EPS, 1.0)) / self.temperature + np.asarray(self.bias)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    @classmethod
    def fit(cls, probs: np.ndarray, labels: np.ndarray, *, bias: bool = True,
            claims: tuple[str, ...] = ()) -> "TemperatureCalibrator":
        """Fit the temperature (and, with ``bias``, a per-label bias, lightly regularised)
        minimising the NLL of ``labels`` (class indices)."""
        from scipy.optimize import minimize

        probs = np.asarray(probs, dtype=np.float64)
        labels = np.asarray(labels, dtype=np.int64)
        if len(probs) == 0:
            return cls()
        grid = np.exp(np.linspace(np.log(0.05), np.log(20.0), 400))
        nll = [_nll(cls(t).apply(probs), labels) for t in grid]
        temperature, offsets = float(grid[int(np.argmin(nll))]), (0.0, 0.0, 0.0)
        if bias:
            def loss(x: np.ndarray) -> float:
                b = (x[1], x[2], 0.0)
                return _nll(cls(float(np.exp(x[0])), bias=b).apply(probs), labels) + 0.01 * (x[1] ** 2 + x[2] ** 2)

            found = minimize(loss, np.array([np.log(temperature), 0.0, 0.0]), method="Nelder-Mead")
            if found.success or found.fun < loss(np.array([np.log(temperature), 0.0, 0.0])):
                temperature, offsets = float(np.exp(found.x[0])), (float(found.x[1]), float(found.x[2]), 0.0)
        fitted = cls(temperature, len(labels), bias=offsets, claims=tuple(claims))
        return cls(temperature, len(labels), expected_calibration_error(probs, labels),
                   expected_calibration_error(fitted.apply(probs), labels), offsets, tuple(claims))

    def save(self, folder: Path) -> Path:
        path = Path(folder) / CALIBRATION_FILE
        path.write_text(json.dumps({"method": "temperature", "temperature": self.temperature,
                                    "bias": list(self.bias), "fitted_on": self.fitted_on,
                                    "ece_before": self.ece_before, "ece_after": self.ece_after,
                                    "claims": list(self.claims)}, indent=2))
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
        bias = tuple(float(b) for b in data.get("bias", (0.0, 0.0, 0.0)))
        if len(bias) != 3:
            raise ValueError(f"{path}: 'bias' must have three values (supported, contradicted, nei)")
        return cls(float(data["temperature"]), int(data.get("fitted_on", 0)),
                   data.get("ece_before"), data.get("ece_after"), bias, tuple(data.get("claims", ())))


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


def confidence_auroc(confidence: np.ndarray, correct: np.ndarray) -> float | None:
    """AUROC of confidence for right-versus-wrong verdicts: 0.5 is a confidence that ranks
    nothing, 1.0 one that puts every right verdict above every wrong one. ``None`` when all
    verdicts are right or all wrong."""
    from sklearn.metrics import roc_auc_score

    correct = np.asarray(correct, dtype=bool)
    if correct.all() or not correct.any():
        return None
    return float(roc_auc_score(correct, np.asarray(confidence, dtype=np.float64)))
