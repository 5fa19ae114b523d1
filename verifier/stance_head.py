"""A small learned stance head over interpretable features, gated by the deterministic checks.

Per (claim, source version) the pipeline already knows how close the best passages are (dense
cosine, BM25, share of the claim's terms), what the checks found (numbers agreeing, missing or
conflicting, entities missing, opposite direction or negation, the claim stated) and the
checks-only stance. A multinomial logistic regression over these features, fitted by the
project on labelled claims (``claimtrace verifier train-head``), turns a paraphrase the
checks cannot settle into supported / contradicted / not enough info. It only decides what
the checks leave open: a passage that states the claim, a conflict, and anything the evidence
does not back (a number, an entity, a condition) keep the checks' verdict.

The head is stored as JSON (weights, feature scaling, the feature names) with its confidence
calibration and a manifest beside it; nothing is downloaded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from verifier.checks import CheckResult
from verifier.claims import ClaimAnalysis, analyze

HEAD_FILE = "head.json"
HEAD_CONFIDENCE_FILE = "confidence.json"  # its verdict-confidence calibration (logistic or isotonic)
HEAD_VERSION = 1

FEATURES: tuple[str, ...] = (
    "dense_top", "dense_max", "dense_margin", "lexical_max", "coverage_max", "coverage_window",
    "states_claim", "contradicts", "blocks_support", "numbers_agree", "numbers_missing",
    "numbers_conflict", "entities_missing", "polarity_conflict", "conditions_unbacked",
    "claim_negated", "claim_null_effect", "window_negation", "negation_mismatch",
    "direction_agree", "direction_oppose", "checks_supported", "checks_contradicted", "checks_nei",
)
_NEGATION = re.compile(
    r"\b(?:not|no|never|neither|nor|without|fails?\s+to|failed\s+to|unchanged|unaffected|"
    r"did\s+not|does\s+not|was\s+not|were\s+not|no\s+significant|insignificant|absence)\b",
    re.IGNORECASE)


def _direction_match(claim: ClaimAnalysis, window: ClaimAnalysis) -> tuple[float, float]:
    """(share of directional claim clauses whose best window clause goes the same way,
    share going the opposite way)."""
    agree = oppose = counted = 0
    for clause in claim.clauses:
        if not clause.terms or not clause.direction:
            continue
        best, share = None, 0.0
        for candidate in window.clauses:
            overlap = len(clause.terms & candidate.terms) / len(clause.terms)
            if overlap > share:
                best, share = candidate, overlap
        counted += 1
        if best is None or share < 0.3 or not best.direction:
            continue
        same = (clause.direction * best.direction) * (-1 if clause.negated != best.negated else 1)
        agree += same > 0
        oppose += same < 0
    return (agree / counted, oppose / counted) if counted else (0.0, 0.0)


def source_features(claim: ClaimAnalysis, dense: Sequence[float | None], lexical: Sequence[float],
                    passage_checks: Sequence[CheckResult], window_text: str, window: CheckResult,
                    checks_probs: np.ndarray) -> np.ndarray:
    """The feature vector (:data:`FEATURES` order) of one claim against one source version."""
    body = [c for c in passage_checks if not c.heading] or list(passage_checks)
    scores = [d for d in dense if d is not None]
    window_analysis = analyze(window_text)
    claim_negation = bool(claim.negated or _NEGATION.search(claim.text))
    window_negation = bool(_NEGATION.search(window_text))
    agree, oppose = _direction_match(claim, window_analysis)
    values = {
        "dense_top": scores[0] if scores else 0.0,
        "dense_max": max(scores, default=0.0),
        "dense_margin": (max(scores) - float(np.mean(scores))) if scores else 0.0,
        "lexical_max": float(np.log1p(max(lexical, default=0.0))),
        "coverage_max": max((c.coverage for c in body), default=0.0),
        "coverage_window": window.coverage,
        "states_claim": float(any(c.states_claim for c in body)),
        "contradicts": float(any(c.contradicts for c in body)),
        "blocks_support": float(window.blocks_support),
        "numbers_agree": float(bool(window.numbers_agree)),
        "numbers_missing": float(bool(window.numbers_missing)),
        "numbers_conflict": float(bool(window.numbers_conflict)),
        "entities_missing": float(bool(window.entities_missing)),
        "polarity_conflict": float(any(c.polarity_conflict and c.on_topic for c in body)),
        "conditions_unbacked": float(bool(window.conditions_unbacked)),
        "claim_negated": float(claim_negation),
        "claim_null_effect": float(any(c.null_effect for c in claim.clauses)),
        "window_negation": float(window_negation),
        "negation_mismatch": float(claim_negation != window_negation),
        "direction_agree": agree,
        "direction_oppose": oppose,
        "checks_supported": float(checks_probs[0]),
        "checks_contradicted": float(checks_probs[1]),
        "checks_nei": float(checks_probs[2]),
    }
    return np.array([values[name] for name in FEATURES], dtype=np.float64)


def settled_by_checks(window: CheckResult, passage_checks: Sequence[CheckResult]) -> bool:
    """Whether the checks decide the stance themselves: a passage states the claim, or one
    conflicts with it. The head only decides what the checks leave open."""
    return any(c.states_claim or c.contradicts for c in passage_checks if not c.heading)


@dataclass(frozen=True, slots=True)
class StanceHead:
    """Multinomial logistic regression over standardised :data:`FEATURES`; classes in
    ``verifier.verdict.LABELS`` order (supported, contradicted, not_enough_info)."""

    coef: tuple[tuple[float, ...], ...]
    intercept: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    features: tuple[str, ...] = FEATURES
    regularisation: float = 1.0
    fitted_on: int = 0
    claims: tuple[str, ...] = ()  # fingerprints of the claims it was fitted on
    info: dict = field(default_factory=dict)

    @property
    def model_id(self) -> str:
        return f"stance-head/logreg-{len(self.features)}f-C{self.regularisation:g}-n{self.fitted_on}"

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, *, regularisation: float = 1.0,
            claims: Sequence[str] = ()) -> "StanceHead":
        """Fit on feature rows ``x`` and label indices ``y`` (0 supported, 1 contradicted,
        2 not enough info); classes are weighted so a rarer label is not ignored."""
        from sklearn.linear_model import LogisticRegression

        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.int64)
        if len(set(y.tolist())) < 3:
            raise ValueError("the stance head needs examples of all three labels "
                             f"(got {sorted(set(y.tolist()))})")
        mean, scale = x.mean(axis=0), x.std(axis=0)
        scale = np.where(scale > 1e-9, scale, 1.0)
        model = LogisticRegression(C=regularisation, class_weight="balanced", max_iter=2000)
        model.fit((x - mean) / scale, y)
        order = [list(model.classes_).index(k) for k in range(3)]
        return cls(tuple(tuple(float(v) for v in model.coef_[i]) for i in order),
                   tuple(float(model.intercept_[i]) for i in order),
                   tuple(float(v) for v in mean), tuple(float(v) for v in scale),
                   FEATURES, regularisation, len(y), tuple(claims))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Probabilities (n, 3) for feature rows ``x`` (one row may be given as a vector)."""
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        logits = ((x - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(self.coef).T
        logits += np.asarray(self.intercept)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def save(self, folder: Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / HEAD_FILE
        path.write_text(json.dumps({
            "version": HEAD_VERSION, "kind": "logistic-regression", "features": list(self.features),
            "coef": [list(r) for r in self.coef], "intercept": list(self.intercept),
            "mean": list(self.mean), "scale": list(self.scale), "regularisation": self.regularisation,
            "fitted_on": self.fitted_on, "claims": list(self.claims), "info": self.info,
        }, indent=2))
        return path

    @classmethod
    def load(cls, folder: Path) -> "StanceHead":
        """The head stored in ``folder``; a clear error if it is missing or does not match."""
        path = Path(folder) / HEAD_FILE
        if not path.is_file():
            raise FileNotFoundError(f"no stance head in {folder} (expected {HEAD_FILE}): "
                                    "train one with `claimtrace verifier train-head`")
        data = json.loads(path.read_text())
        if tuple(data.get("features", ())) != FEATURES:
            raise ValueError(f"{path}: the head was fitted on other features than this verifier "
                             "computes; retrain it with `claimtrace verifier train-head`")
        coef = tuple(tuple(float(v) for v in row) for row in data["coef"])
        if len(coef) != 3 or any(len(row) != len(FEATURES) for row in coef):
            raise ValueError(f"{path}: 'coef' must be 3 rows of {len(FEATURES)} weights")
        return cls(coef, tuple(float(v) for v in data["intercept"]),
                   tuple(float(v) for v in data["mean"]), tuple(float(v) for v in data["scale"]),
                   FEATURES, float(data.get("regularisation", 1.0)), int(data.get("fitted_on", 0)),
                   tuple(data.get("claims", ())), dict(data.get("info", {})))


def head_is_folder(path: str | Path) -> bool:
    """Whether ``path`` holds a stance head (rather than a transformers model)."""
    return (Path(path) / HEAD_FILE).is_file()
