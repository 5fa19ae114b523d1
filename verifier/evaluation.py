"""Run the verifier core on SciFact-format data and score it (``claimtrace eval-verifier``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from verifier.confidence import ConfidenceCalibrator, cross_validated_ece
from verifier.pipeline import VerifierModels, verify_claim
from verifier.scifact import (
    CONTRADICT, NEI, SUPPORT, Abstract, DocPrediction, SciFactClaim, scifact_metrics,
    three_way_report,
)
from verifier.training import source_of

_TO_SCIFACT = {"supported": SUPPORT, "contradicted": CONTRADICT, "not_enough_info": NEI}


def predict(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract],
            models: VerifierModels) -> list[tuple[SciFactClaim, dict[str, DocPrediction], str, float]]:
    """Per claim: abstract-level predictions, the claim-level label and its confidence."""
    out = []
    for claim in claims:
        sources = [source_of(corpus[d]) for d in claim.cited_doc_ids if d in corpus]
        verdict = verify_claim(claim.claim, sources, models)
        docs = {}
        for judgement in verdict.sources:
            label = _TO_SCIFACT[judgement.label]
            if label == NEI:
                continue
            stance = "supports" if label == SUPPORT else "contradicts"
            sentences = tuple(e.passage_index for e in judgement.evidence if e.stance == stance)[:3]
            docs[str(judgement.source_id)] = DocPrediction(label, sentences, judgement.confidence)
        out.append((claim, docs, _TO_SCIFACT[verdict.label], verdict.confidence))
    return out


def score(predictions: Sequence[tuple[SciFactClaim, dict[str, DocPrediction], str, float]]) -> dict:
    """SciFact abstract-level metrics plus three-way accuracy, macro-F1, confusion and ECE."""
    claims = [p[0] for p in predictions]
    metrics = scifact_metrics(claims, {p[0].id: p[1] for p in predictions})
    report = three_way_report([c.label for c in claims], [p[2] for p in predictions],
                              [p[3] for p in predictions])
    return {
        "n_claims": len(claims),
        "abstract_label_only_precision": metrics["abstract_label_only_precision"],
        "abstract_label_only_recall": metrics["abstract_label_only_recall"],
        "abstract_label_only_f1": metrics["abstract_label_only_f1"],
        "three_way": asdict(report),
    }


def evaluate_verifier(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract],
                      models: VerifierModels) -> dict:
    result = score(predict(claims, corpus, models))
    result["model_ids"] = models.model_ids()
    return result


def format_report(result: dict) -> str:
    """The human-readable form of :func:`evaluate_verifier`'s result."""
    tw = result["three_way"]
    lines = [
        f"claims: {result['n_claims']}",
        "SciFact abstract-level, label only:",
        f"  precision {result['abstract_label_only_precision']:.4f}  "
        f"recall {result['abstract_label_only_recall']:.4f}  f1 {result['abstract_label_only_f1']:.4f}",
        f"three-way accuracy {tw['accuracy']:.4f}  macro-F1 {tw['macro_f1']:.4f}  ECE {tw['ece']:.4f}",
        "per-class F1: " + "  ".join(f"{k} {v:.4f}" for k, v in tw["per_class_f1"].items()),
        "confusion (rows gold, columns predicted): " + " ".join(tw["classes"]),
    ]
    for label, row in zip(tw["classes"], tw["confusion"]):
        lines.append(f"  {label:<10} " + " ".join(f"{n:>5}" for n in row))
    ids = result.get("model_ids") or {}
    if ids:
        lines.append("models: " + ", ".join(f"{k}={v}" for k, v in ids.items() if v))
    return "\n".join(lines)


_FROM_SCIFACT = {v: k for k, v in _TO_SCIFACT.items()}


def fit_confidence_calibration(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract],
                               models: VerifierModels, *, folds: int = 5,
                               fitted_on: str = "") -> tuple[ConfidenceCalibrator, dict[str, float]]:
    """Fit the verdict-confidence calibration on labelled claims; also its cross-validated ECE.

    ``models`` must not already calibrate confidence (the raw confidences are what is fitted)."""
    if models.confidence is not None:
        raise ValueError("fit the calibration on raw confidences: load the models without one")
    predictions = predict(claims, corpus, models)
    labels = [_FROM_SCIFACT[p[2]] for p in predictions]
    confidences = [p[3] for p in predictions]
    correct = [p[2] == p[0].label for p in predictions]
    figures = cross_validated_ece(labels, confidences, correct, folds=folds)
    figures["accuracy"] = sum(correct) / len(correct) if correct else 0.0
    calibrator = ConfidenceCalibrator.fit(labels, confidences, correct, fitted_on=fitted_on)
    return ConfidenceCalibrator(calibrator.curves, fitted_on, figures), figures
