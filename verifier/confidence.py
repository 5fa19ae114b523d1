"""Calibrating a verdict's confidence: the probability that the verdict is right.

Rule-based (checks-only) probabilities say how a verdict was reached, not how often such a
verdict is right. ``ConfidenceCalibrator`` maps a raw confidence to the observed accuracy of
verdicts with that label and confidence on held-back labelled data (isotonic regression per
label, so a higher raw confidence never gets a lower calibrated one).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.isotonic import IsotonicRegression

from verifier.calibration import confidence_auroc, confidence_ece

# Fewer examples of a label than this: that label keeps its raw confidence.
MIN_EXAMPLES = 8
PACKAGED_CHECKS_ONLY = Path(__file__).resolve().parent / "calibration" / "checks_only.json"


@dataclass(frozen=True, slots=True)
class ConfidenceCalibrator:
    """Per-label piecewise-linear maps raw confidence → probability the verdict is right."""

    curves: dict[str, tuple[tuple[float, ...], tuple[float, ...]]]
    fitted_on: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    claims: tuple[str, ...] = ()  # fingerprints of the claims it was fitted on
    method: str = "isotonic"  # or "logistic": one slope in logit(confidence), an offset per label

    @classmethod
    def fit(cls, labels: Sequence[str], confidences: Sequence[float], correct: Sequence[bool],
            *, fitted_on: str = "") -> "ConfidenceCalibrator":
        labels_arr = np.asarray(labels)
        conf = np.asarray(confidences, dtype=np.float64)
        right = np.asarray(correct, dtype=np.float64)
        curves = {}
        for label in sorted(set(labels_arr.tolist())):
            mask = labels_arr == label
            if mask.sum() < MIN_EXAMPLES:
                continue
            model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(conf[mask], right[mask])
            curves[label] = (tuple(float(x) for x in model.X_thresholds_),
                             tuple(float(y) for y in model.y_thresholds_))
        return cls(curves, fitted_on)

    @classmethod
    def fit_logistic(cls, labels: Sequence[str], confidences: Sequence[float], correct: Sequence[bool],
                     *, fitted_on: str = "") -> "ConfidenceCalibrator":
        """Platt scaling with a shared slope: P(right) = sigmoid(a·logit(confidence) + b_label).
        Smoother than isotonic steps on a few hundred verdicts (no ties, so confidence keeps
        ranking within a label); stored as the same piecewise-linear curves."""
        from sklearn.linear_model import LogisticRegression

        labels_arr = np.asarray(labels)
        conf = np.clip(np.asarray(confidences, dtype=np.float64), 1e-4, 1 - 1e-4)
        right = np.asarray(correct, dtype=np.int64)
        names = sorted(set(labels_arr.tolist()))
        if len(set(right.tolist())) < 2:
            return cls.fit(labels, confidences, correct, fitted_on=fitted_on)

        def design(c: np.ndarray, label: str) -> np.ndarray:
            logit = np.log(c / (1 - c))[:, None]
            return np.hstack([logit, np.array([[label == n for n in names]] * len(c), dtype=np.float64)])

        x = np.vstack([design(conf[labels_arr == n], n) for n in names])
        y = np.concatenate([right[labels_arr == n] for n in names])
        model = LogisticRegression(C=1.0, fit_intercept=False, max_iter=1000).fit(x, y)
        grid = np.linspace(0.0, 1.0, 101)
        curves = {n: (tuple(float(v) for v in grid),
                      tuple(float(v) for v in model.predict_proba(design(np.clip(grid, 1e-4, 1 - 1e-4), n))[:, 1]))
                  for n in names}
        return cls(curves, fitted_on, method="logistic")

    def apply(self, label: str, confidence: float) -> float:
        """The calibrated confidence of a ``label`` verdict (raw when the label was not fitted)."""
        curve = self.curves.get(label)
        if curve is None:
            return float(confidence)
        xs, ys = curve
        return float(np.interp(confidence, xs, ys))

    @property
    def model_id(self) -> str:
        name = f"{self.method}-confidence"
        return f"{name}({self.fitted_on})" if self.fitted_on else name

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"method": self.method, "fitted_on": self.fitted_on, "metrics": self.metrics, "claims": list(self.claims),
                   "curves": {k: {"x": list(x), "y": list(y)} for k, (x, y) in self.curves.items()}}
        path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> "ConfidenceCalibrator":
        data = json.loads(path.read_text(encoding="utf-8"))
        curves = {k: (tuple(v["x"]), tuple(v["y"])) for k, v in data["curves"].items()}
        return cls(curves, data.get("fitted_on", ""), data.get("metrics", {}),
                   tuple(data.get("claims", ())), data.get("method", "isotonic"))


def cross_validated_ece(labels: Sequence[str], confidences: Sequence[float], correct: Sequence[bool],
                        *, folds: int = 5, seed: int = 0,
                        groups: Sequence[int] | None = None) -> dict[str, float | None]:
    """ECE (and AUROC) of the raw confidences and of calibrated ones, each item calibrated by a
    model that never saw it or its group (``folds``-fold cross-validation)."""
    from sklearn.model_selection import GroupKFold

    labels_arr = np.asarray(labels)
    conf = np.asarray(confidences, dtype=np.float64)
    right = np.asarray(correct, dtype=bool)
    if groups is None:
        groups = list(range(len(conf)))
    order = np.random.default_rng(seed).permutation(len(conf))
    calibrated = np.empty_like(conf)
    splits = GroupKFold(n_splits=min(folds, len(set(groups)))).split(
        order, groups=np.asarray(groups)[order])
    for train_at, test_at in splits:
        train, fold = order[train_at], order[test_at]
        model = ConfidenceCalibrator.fit(labels_arr[train], conf[train], right[train])
        calibrated[fold] = [model.apply(l, c) for l, c in zip(labels_arr[fold], conf[fold])]
    raw_auroc, cv_auroc = confidence_auroc(conf, right), confidence_auroc(calibrated, right)
    return {"ece_raw": confidence_ece(conf, right), "ece_calibrated_cv": confidence_ece(calibrated, right),
            "auroc_raw": raw_auroc,
            "auroc_calibrated_cv": cv_auroc,
            "n": float(len(conf)), "folds": float(folds)}
