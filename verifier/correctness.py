"""A verdict's confidence as a learned probability that it is right (stacked on the stance head).

A calibration maps one score per label to accuracy; what it cannot see is *why* a verdict may be
wrong. The correctness model is a logistic regression that predicts "this verdict is right" from
what the verifier knows when it gives a verdict (:data:`CONFIDENCE_FEATURES`): the raw
confidence and the label, the claim-level stance probabilities (their margin and entropy), and
the direction contrast of the deciding source signed by the label (:mod:`verifier.contrast`: a
source that reads more like the claim's opposite makes "supported" less and "contradicted" more
likely right). ``claimtrace verifier train-head`` fits it on out-of-fold verdicts of inner grouped
folds, so it never learns from in-sample verdicts; its output is the stored confidence.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from verifier.verdict import LABELS, SourceJudgement

CORRECTNESS_FILE = "correctness.json"
CONFIDENCE_FEATURES: tuple[str, ...] = (
    "logit_confidence", "is_supported", "is_contradicted", "is_not_enough_info",
    "p_supported", "p_contradicted", "p_not_enough_info", "margin", "entropy", "signed_contrast",
)


def deciding_contrast(label: str, judgements: Sequence[SourceJudgement]) -> float:
    """The direction contrast of the cited source behind ``label``, signed so that positive
    speaks for the verdict (0 for "not enough info" or without cited sources)."""
    cited = [j for j in judgements if j.cited]
    if not cited or label == LABELS[2]:
        return 0.0
    at = LABELS.index(label)
    deciding = max(cited, key=lambda j: j.probs[at])
    return deciding.contrast if at == 0 else -deciding.contrast


def confidence_features(label: str, probs: Sequence[float], raw_confidence: float,
                        judgements: Sequence[SourceJudgement]) -> np.ndarray:
    """The :data:`CONFIDENCE_FEATURES` of a verdict ``label`` with claim-level ``probs``."""
    p = np.clip(np.asarray(probs, dtype=np.float64), 0.0, 1.0)
    c = float(np.clip(raw_confidence, 1e-4, 1 - 1e-4))
    top = np.sort(p)[::-1]
    entropy = float(-(p * np.log(np.clip(p, 1e-9, 1.0))).sum())
    onehot = [float(label == name) for name in LABELS]
    return np.array([np.log(c / (1 - c)), *onehot, *p, top[0] - top[1], entropy,
                     deciding_contrast(label, judgements)], dtype=np.float64)


@dataclass(frozen=True, slots=True)
class CorrectnessModel:
    """P(verdict right) = sigmoid(w · standardised features + b)."""

    coef: tuple[float, ...]
    intercept: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    features: tuple[str, ...] = CONFIDENCE_FEATURES
    regularisation: float = 1.0
    fitted_on: str = ""
    claims: tuple[str, ...] = ()  # fingerprints of the claims whose verdicts it was fitted on
    n: int = 0

    @classmethod
    def fit(cls, x: np.ndarray, correct: Sequence[bool], *, regularisation: float = 1.0,
            fitted_on: str = "", claims: Sequence[str] = ()) -> "CorrectnessModel":
        """Fit on verdict feature rows ``x`` and whether each verdict was right."""
        from sklearn.linear_model import LogisticRegression

        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        y = np.asarray(correct, dtype=np.int64)
        if x.shape[1] != len(CONFIDENCE_FEATURES):
            raise ValueError(f"expected {len(CONFIDENCE_FEATURES)} confidence features, got {x.shape[1]}")
        mean, scale = x.mean(axis=0), x.std(axis=0)
        scale = np.where(scale > 1e-9, scale, 1.0)
        if len(set(y.tolist())) < 2:  # all right (or all wrong): the smoothed rate, nothing to rank by
            rate = (y.sum() + 1.0) / (len(y) + 2.0)
            return cls(tuple(0.0 for _ in CONFIDENCE_FEATURES), float(np.log(rate / (1 - rate))),
                       tuple(float(v) for v in mean), tuple(float(v) for v in scale), CONFIDENCE_FEATURES,
                       regularisation, fitted_on, tuple(claims), int(len(y)))
        model = LogisticRegression(C=regularisation, max_iter=5000).fit((x - mean) / scale, y)
        return cls(tuple(float(v) for v in model.coef_[0]), float(model.intercept_[0]),
                   tuple(float(v) for v in mean), tuple(float(v) for v in scale), CONFIDENCE_FEATURES,
                   regularisation, fitted_on, tuple(claims), int(len(y)))

    def probability(self, features: np.ndarray) -> float:
        """The probability that the verdict with these :data:`CONFIDENCE_FEATURES` is right."""
        z = (np.asarray(features, dtype=np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        return float(1.0 / (1.0 + np.exp(-(z @ np.asarray(self.coef) + self.intercept))))

    @property
    def model_id(self) -> str:
        name = f"stacked-correctness-logreg-C{self.regularisation:g}-n{self.n}"
        return f"{name}({self.fitted_on})" if self.fitted_on else name

    def save(self, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({
            "kind": "correctness-logistic-regression", "features": list(self.features),
            "coef": list(self.coef), "intercept": self.intercept, "mean": list(self.mean),
            "scale": list(self.scale), "regularisation": self.regularisation,
            "fitted_on": self.fitted_on, "claims": list(self.claims), "n": self.n,
        }, indent=1) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> "CorrectnessModel":
        """The model stored at ``path``; a clear error if it was fitted on other features."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if tuple(data.get("features", ())) != CONFIDENCE_FEATURES or len(data.get("coef", ())) != len(CONFIDENCE_FEATURES):
            raise ValueError(f"{path}: the correctness model was fitted on other confidence features "
                             "than this verifier computes; retrain it with `claimtrace verifier train-head`")
        return cls(tuple(float(v) for v in data["coef"]), float(data["intercept"]),
                   tuple(float(v) for v in data["mean"]), tuple(float(v) for v in data["scale"]),
                   CONFIDENCE_FEATURES, float(data.get("regularisation", 1.0)), str(data.get("fitted_on", "")),
                   tuple(data.get("claims", ())), int(data.get("n", 0)))
