"""`claimtrace verifier train-head`: fit the stance head and its confidence calibration.

One feature row per (claim, cited abstract) with the abstract-level gold label, computed by the
same retrieval and checks the verifier runs. The head is fitted on all rows of the training
claims; its verdict confidence is fitted on *out-of-fold* verdicts — an inner grouped K-fold
over the training claims, each inner head judging claims it was not fitted on — so it never
learns from in-sample confidences. By default the confidence is a stacked correctness model
(:mod:`verifier.correctness`: P(right) from the verdict's probabilities, label and direction
contrast); ``calibration="logistic"`` or ``"isotonic"`` calibrate the raw confidence per label
instead. With ``cv`` the
whole recipe is repeated per outer fold (claims sharing an abstract in one fold) and scored on
the held-out fold only, beside checks-only with its calibration fitted on the same training
folds; the manifest records both and whether the head beat checks-only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from tqdm import tqdm

from verifier.confidence import ConfidenceCalibrator
from verifier.correctness import CORRECTNESS_FILE, CorrectnessModel, confidence_features
from verifier.evaluation import (
    _FROM_SCIFACT, _TO_SCIFACT, Prediction, calibration_inputs, cited_sources, predict, score, source_of,
)
from verifier.folds import fingerprint, grouped_folds
from verifier.manifest import beats_checks_only, data_digest, save_manifest
from verifier.pipeline import VerifierModels, agreeing, stance_features, verify_claim
from verifier.scifact import Abstract, SciFactClaim
from verifier.stance_head import FEATURES, HEAD_CONFIDENCE_FILE, StanceHead
from verifier.verdict import UNCHECKED, aggregate_sources

_INDEX = {"SUPPORT": 0, "CONTRADICT": 1, "NEI": 2}
CALIBRATIONS = ("stacked", "logistic", "isotonic")
VerdictConfidence = ConfidenceCalibrator | CorrectnessModel


@dataclass(frozen=True, slots=True)
class HeadConfig:
    regularisation: float = 0.1  # inverse L2 strength of the logistic regression
    calibration_folds: int = 5  # inner grouped folds for the out-of-fold confidence calibration
    calibration: str = "stacked"  # correctness model; or "logistic" / "isotonic" per label
    correctness_regularisation: float = 1.0  # inverse L2 strength of the correctness model
    seed: int = 13


@dataclass(slots=True)
class Rows:
    """Feature rows, their labels and the claim (index into the claim list) of each row."""

    x: np.ndarray
    y: np.ndarray
    claim: np.ndarray

    def of(self, claim_indices: Sequence[int]) -> "Rows":
        mask = np.isin(self.claim, np.asarray(list(claim_indices), dtype=np.int64))
        return Rows(self.x[mask], self.y[mask], self.claim[mask])


def feature_rows(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract], models: VerifierModels,
                 *, progress: bool = False) -> Rows:
    """A row per (claim, cited abstract in ``corpus``) whose best passages are more than titles."""
    xs, ys, owners = [], [], []
    for i, claim in enumerate(tqdm(claims, desc="computing features", unit="claim", disable=not progress,
                                   leave=False)):
        for doc_id in claim.cited_doc_ids:
            if doc_id not in corpus:
                continue
            found = stance_features(claim.claim, source_of(corpus[doc_id]), models)
            if found is None:
                continue
            xs.append(found[0])
            ys.append(_INDEX[claim.doc_label(doc_id)])
            owners.append(i)
    return Rows(np.array(xs).reshape(-1, len(FEATURES)), np.array(ys, dtype=np.int64),
                np.array(owners, dtype=np.int64))


def _calibrator(predictions: Sequence[Prediction], claims: Sequence[SciFactClaim], corpus: dict[str, Abstract],
                fitted_on: str, method: str = "isotonic") -> ConfidenceCalibrator:
    fit = ConfidenceCalibrator.fit_logistic if method == "logistic" else ConfidenceCalibrator.fit
    fitted = fit(*calibration_inputs(predictions, corpus), fitted_on=fitted_on)
    return replace(fitted, claims=tuple(fingerprint(c) for c in claims))


def _raw(models: VerifierModels, head: StanceHead | None) -> VerifierModels:
    """``models`` with ``head`` and no confidence calibration (indexes shared)."""
    return replace(models, head=head, confidence=None, nli=None, calibrator=None, correctness=None)


def with_confidence(models: VerifierModels, confidence: VerdictConfidence) -> VerifierModels:
    """``models`` giving verdict confidences by ``confidence``."""
    if isinstance(confidence, CorrectnessModel):
        return replace(models, confidence=None, correctness=confidence)
    return replace(models, confidence=confidence, correctness=None)


def _confidence_rows(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract], models: VerifierModels,
                     *, progress: bool = False) -> tuple[list[Prediction], list[np.ndarray]]:
    """Raw verdicts of ``claims`` (``models`` without calibration) and the confidence features of each."""
    predictions, features = [], []
    for claim in tqdm(claims, desc="out-of-fold verdicts", unit="claim", disable=not progress, leave=False):
        verdict = verify_claim(claim.claim, cited_sources(claim, corpus), models)
        if verdict.label == UNCHECKED:  # no cited abstract with text: not a verdict to learn from
            continue
        label = _TO_SCIFACT.get(verdict.label, "NEI")
        raw = verdict.confidence if verdict.confidence is not None else 0.0
        probs = agreeing(aggregate_sources(verdict.sources), verdict.label, raw) if verdict.sources \
            else np.array([0.0, 0.0, 1.0])
        predictions.append((claim, {}, label, raw))
        features.append(confidence_features(_FROM_SCIFACT[label], probs, raw, verdict.sources))
    return predictions, features


def fit_head(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract], models: VerifierModels,
             rows: Rows, config: HeadConfig = HeadConfig(), *, progress: bool = False
             ) -> tuple[StanceHead, VerdictConfidence]:
    """The head fitted on every row of ``claims`` (``rows`` index into ``claims``) and its
    verdict confidence (correctness model or calibration) fitted on inner out-of-fold verdicts."""
    if config.calibration not in CALIBRATIONS:
        raise ValueError(f"calibration must be one of {', '.join(CALIBRATIONS)}, not {config.calibration!r}")
    claims = list(claims)
    head = replace(StanceHead.fit(rows.x, rows.y, regularisation=config.regularisation),
                   claims=tuple(fingerprint(c) for c in claims))
    held_out: list[Prediction] = []
    features: list[np.ndarray] = []
    for inner_train, inner_test in grouped_folds(claims, config.calibration_folds, config.seed):
        part = rows.of(inner_train)
        inner = StanceHead.fit(part.x, part.y, regularisation=config.regularisation)
        found, rows_of = _confidence_rows([claims[i] for i in inner_test], corpus, _raw(models, inner),
                                          progress=progress)
        held_out.extend(found)
        features.extend(rows_of)
    fitted_on = "out-of-fold verdicts of inner grouped folds"
    if config.calibration == "stacked":
        return head, CorrectnessModel.fit(np.array(features), [p[2] == p[0].label for p in held_out],
                                          regularisation=config.correctness_regularisation, fitted_on=fitted_on,
                                          claims=[fingerprint(c) for c in claims])
    return head, _calibrator(held_out, claims, corpus, fitted_on, config.calibration)


def cross_validate_head(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract],
                        models: VerifierModels, *, folds: int = 5, config: HeadConfig = HeadConfig(),
                        progress: bool = False, log: Callable[[str], None] = print, rows: Rows | None = None) -> dict:
    """Grouped K-fold: per fold a fresh head and calibration fitted on the other folds, judged
    on this one, beside checks-only calibrated on the same training folds. ``rows``: the
    claims' `feature_rows` when the caller has them already."""
    claims = list(claims)
    rows = rows if rows is not None else feature_rows(claims, corpus, models, progress=progress)
    learned: list[Prediction] = []
    checks: list[Prediction] = []
    for fold, (train_at, test_at) in enumerate(grouped_folds(claims, folds, config.seed)):
        train, test = [claims[i] for i in train_at], [claims[i] for i in test_at]
        log(f"fold {fold + 1}/{folds}: {len(train)} training claims, {len(test)} held-out claims")
        train_rows = rows.of(train_at)
        train_rows.claim = np.searchsorted(np.asarray(train_at), train_rows.claim)
        head, confidence = fit_head(train, corpus, models, train_rows, config, progress=progress)
        learned.extend(predict(test, corpus, with_confidence(_raw(models, head), confidence),
                               progress=progress, desc=f"fold {fold + 1} head"))
        raw = predict(train, corpus, _raw(models, None), progress=progress, desc=f"fold {fold + 1} checks")
        checks_confidence = _calibrator(raw, train, corpus, "training folds")
        checks.extend(predict(test, corpus, replace(_raw(models, None), confidence=checks_confidence),
                              progress=progress, desc=f"fold {fold + 1} checks"))
    result = {"folds": folds, "grouped_by": "shared cited abstract", "seed": config.seed,
              "learned": score(learned), "checks_only": score(checks)}
    result["beats_checks_only"] = beats_checks_only(result["learned"], result["checks_only"])
    result["model_ids"] = {"head": f"{folds}-fold stance head (logistic regression, C={config.regularisation:g})",
                           "confidence": _confidence_id(config)}
    return result


def headline(scored: dict) -> dict[str, float | None]:
    """The figures a cross-validation is judged by, from an `evaluation.score` result."""
    three_way = scored["three_way"]
    return {"macro_f1": three_way["macro_f1"], "label_only_f1": scored["abstract_label_only_f1"],
            "accuracy": three_way["accuracy"], "ece": three_way["ece"], "auroc": three_way.get("auroc")}


def repeated_cross_validation(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract],
                              models: VerifierModels, *, folds: int = 5, repeats: int = 3,
                              config: HeadConfig = HeadConfig(), progress: bool = False,
                              log: Callable[[str], None] = print, rows: Rows | None = None) -> dict:
    """`cross_validate_head` over ``repeats`` shuffles of the grouped folds (seeds ``config.seed``,
    ``+1``, …). On a few hundred claims one shuffle moves every figure by several points, so the
    result keeps the first shuffle's full scores, adds each shuffle's headline figures and their
    mean/min/max (``spread``), and says the head beats checks-only only if it did on every one."""
    claims = list(claims)
    rows = rows if rows is not None else feature_rows(claims, corpus, models, progress=progress)
    runs = []
    for at in range(repeats):
        seed = config.seed + at
        if repeats > 1:
            log(f"shuffle {at + 1}/{repeats} of the grouped folds (seed {seed})")
        runs.append(cross_validate_head(claims, corpus, models, folds=folds, config=replace(config, seed=seed),
                                        progress=progress, log=log, rows=rows))
    result = dict(runs[0])
    if repeats > 1:
        result["repeats"] = [{"seed": run["seed"], "learned": headline(run["learned"]),
                              "checks_only": headline(run["checks_only"]),
                              "beats_checks_only": run["beats_checks_only"]} for run in runs]
        result["spread"] = {side: _spread([headline(run[side]) for run in runs]) for side in ("learned", "checks_only")}
        result["beats_checks_only"] = all(run["beats_checks_only"] for run in runs)
    return result


def _spread(figures: list[dict[str, float | None]]) -> dict[str, dict[str, float] | None]:
    out: dict[str, dict[str, float] | None] = {}
    for name in figures[0]:
        values = [f[name] for f in figures if f[name] is not None]
        out[name] = ({"mean": float(np.mean(values)), "min": float(min(values)), "max": float(max(values))}
                     if values else None)
    return out


def format_spread(result: dict) -> str:
    """The repeated cross-validation's spread, one line per path (empty for a single shuffle)."""
    if "spread" not in result:
        return ""
    lines = [f"over {len(result['repeats'])} shuffles of the grouped folds (seeds "
             f"{', '.join(str(r['seed']) for r in result['repeats'])}): mean [min, max]"]
    for side, name in (("learned", "stance head"), ("checks_only", "checks-only")):
        parts = [f"{figure} {v['mean']:.3f} [{v['min']:.3f}, {v['max']:.3f}]"
                 for figure, v in result["spread"][side].items() if v is not None]
        lines.append(f"  {name}: " + "  ".join(parts))
    return "\n".join(lines)


def train_head(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract], out_dir: Path, *,
               models: VerifierModels, config: HeadConfig = HeadConfig(), dataset: str = "",
               cv: dict | None = None, progress: bool = False,
               log: Callable[[str], None] = print, rows: Rows | None = None) -> dict:
    """Fit the head and its calibration on all ``claims``; write ``head.json``,
    ``confidence.json`` and ``manifest.json`` to ``out_dir``. Returns the manifest. ``rows`` as
    for `cross_validate_head`."""
    claims = list(claims)
    rows = rows if rows is not None else feature_rows(claims, corpus, models, progress=progress)
    counts = np.bincount(rows.y, minlength=3)
    log(f"fitting the stance head on {len(rows.y)} (claim, abstract) rows from {len(claims)} claims "
        f"({counts[0]} supported, {counts[1]} contradicted, {counts[2]} not enough info)")
    head, confidence = fit_head(claims, corpus, models, rows, config, progress=progress)
    out_dir = Path(out_dir)
    head.save(out_dir)
    for stale in (HEAD_CONFIDENCE_FILE, CORRECTNESS_FILE):  # a head folder holds one confidence model
        (out_dir / stale).unlink(missing_ok=True)
    confidence.save(out_dir / (CORRECTNESS_FILE if isinstance(confidence, CorrectnessModel)
                               else HEAD_CONFIDENCE_FILE))
    ids = [fingerprint(c) for c in claims]
    manifest = {
        "model": "stance-head",
        "head": head.model_id,
        "features": list(FEATURES),
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data": {"dataset": dataset, "sha256": data_digest(claims, corpus), "claims": len(claims),
                 "rows": int(len(rows.y))},
        "claims": {"train": ids, "calibration": ids},
        "train_claim_ids": [c.id for c in claims],
        "calibration_claim_ids": [c.id for c in claims],
        "calibration": f"{_confidence_id(config)} on out-of-fold verdicts "
                       f"({config.calibration_folds} inner grouped folds)",
        "settings": asdict(config),
        "embedding": models.indexes.embedder.model_id if models.indexes.embedder else None,
        "cv": cv,
        "beats_checks_only": None if cv is None else cv["beats_checks_only"],
    }
    save_manifest(out_dir, manifest)
    return manifest


def _confidence_id(config: HeadConfig) -> str:
    if config.calibration == "stacked":
        return (f"stacked correctness model (logistic regression, C={config.correctness_regularisation:g}, "
                "over the verdict's probabilities, label and direction contrast)")
    return f"{config.calibration} calibration per label"
