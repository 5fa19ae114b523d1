"""Run the verifier core on SciFact-format data and score it (``claimtrace eval-verifier``).

Claims the stance model was trained on are excluded by default and the calibration is switched
off for claims it was fitted on, so no figure is measured on data a model or calibration has
seen; ``include_seen`` keeps them and says so in ``warnings``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from tqdm import tqdm

from verifier.confidence import ConfidenceCalibrator, cross_validated_ece
from verifier.folds import fingerprint
from verifier.pipeline import SourcePassages, VerifierModels, verify_claim
from verifier.scifact import (
    CONTRADICT, NEI, SUPPORT, Abstract, DocPrediction, SciFactClaim, scifact_metrics,
    three_way_report,
)

_TO_SCIFACT = {"supported": SUPPORT, "contradicted": CONTRADICT, "not_enough_info": NEI}
Prediction = tuple[SciFactClaim, dict[str, DocPrediction], str, float]


def source_of(abstract: Abstract) -> SourcePassages:
    """A SciFact abstract as the one cited source version of a claim."""
    return SourcePassages(key=f"scifact-{abstract.doc_id}", passages=abstract.passages(),
                          source_id=abstract.doc_id, title=abstract.title or None)


def cited_sources(claim: SciFactClaim, corpus: dict[str, Abstract]) -> list[SourcePassages]:
    """The claim's cited abstracts that the corpus holds, as cited sources."""
    return [source_of(corpus[d]) for d in claim.cited_doc_ids if d in corpus]


def predict(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract], models: VerifierModels,
            *, progress: bool = False, desc: str = "verifying claims") -> list[Prediction]:
    """Per claim: abstract-level predictions, the claim-level label and its confidence
    (a claim with no cited abstract in the corpus is unchecked: scored as NEI, confidence 0)."""
    out = []
    for claim in tqdm(claims, desc=desc, unit="claim", disable=not progress, leave=False):
        verdict = verify_claim(claim.claim, cited_sources(claim, corpus), models)
        docs = {}
        for judgement in verdict.sources:
            label = _TO_SCIFACT[judgement.label]
            if label == NEI:
                continue
            stance = "supports" if label == SUPPORT else "contradicts"
            sentences = tuple(e.passage_index for e in judgement.evidence if e.stance == stance)[:3]
            docs[str(judgement.source_id)] = DocPrediction(label, sentences, judgement.confidence)
        label = _TO_SCIFACT.get(verdict.label, NEI)
        out.append((claim, docs, label, verdict.confidence if verdict.confidence is not None else 0.0))
    return out


def calibration_inputs(predictions: Sequence[Prediction], corpus: dict[str, Abstract]
                       ) -> tuple[list[str], list[float], list[bool]]:
    """Labels, raw confidences and rightness of the verdicts a confidence calibration may learn
    from: a claim none of whose cited abstracts has text is unchecked, not a "not enough info"
    verdict, and is left out."""
    judged = [p for p in predictions
              if any(d in corpus and corpus[d].sentences for d in p[0].cited_doc_ids)]
    return ([_FROM_SCIFACT[p[2]] for p in judged], [p[3] for p in judged],
            [p[2] == p[0].label for p in judged])


def score(predictions: Sequence[Prediction]) -> dict:
    """SciFact abstract-level metrics plus three-way accuracy, macro-F1, confusion, ECE and the
    AUROC of confidence for right-versus-wrong verdicts."""
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
                      models: VerifierModels, *, include_seen: bool = False,
                      progress: bool = False) -> dict:
    """Score ``models`` on ``claims``; what the model or calibration has seen is flagged in
    ``seen`` and, unless ``include_seen``, kept out of the figures (``warnings`` say how)."""
    by_model = [c for c in claims if fingerprint(c) in models.seen_by_model]
    by_calibration = [c for c in claims if fingerprint(c) in models.seen_by_calibration]
    warnings: list[str] = []
    chosen = list(claims)
    saved = (models.confidence, models.calibrator, models.correctness)
    if include_seen:
        if by_model:
            warnings.append(f"{len(by_model)} of {len(claims)} claims were used to train the stance "
                            "model: these figures are in-sample, not a measure of the verifier")
        if by_calibration:
            warnings.append(f"{len(by_calibration)} of {len(claims)} claims were used to fit the "
                            "confidence calibration: ECE and AUROC are in-sample")
    else:
        seen = {c.id for c in by_model}
        chosen = [c for c in claims if c.id not in seen]
        if by_model:
            warnings.append(f"{len(by_model)} of {len(claims)} claims were used to train the stance "
                            f"model and are excluded; {len(chosen)} claims scored")
        if any(c in by_calibration for c in chosen):
            models.confidence = models.calibrator = models.correctness = None
            warnings.append("the confidence calibration was fitted on some of these claims, so it is "
                            "switched off for this evaluation: confidences are raw")
    if not chosen:
        raise ValueError(f"all {len(claims)} claims were used to train the stance model: evaluate on "
                         "other claims, use `verifier train --cv K` for held-out figures, or pass "
                         "--include-seen for in-sample figures")
    try:
        result = score(predict(chosen, corpus, models, progress=progress))
        result["model_ids"] = models.model_ids()
    finally:
        models.confidence, models.calibrator, models.correctness = saved
    result["seen"] = {"model": [c.id for c in by_model], "calibration": [c.id for c in by_calibration]}
    result["excluded_claim_ids"] = [c.id for c in claims if c not in chosen]
    result["in_sample"] = include_seen and bool(by_model or by_calibration)
    result["warnings"] = warnings
    return result


def format_report(result: dict) -> str:
    """The human-readable form of :func:`evaluate_verifier`'s result."""
    tw = result["three_way"]
    auroc = tw.get("auroc")
    lines = [
        f"claims: {result['n_claims']}",
        "SciFact abstract-level, label only:",
        f"  precision {result['abstract_label_only_precision']:.4f}  "
        f"recall {result['abstract_label_only_recall']:.4f}  f1 {result['abstract_label_only_f1']:.4f}",
        f"three-way accuracy {tw['accuracy']:.4f}  macro-F1 {tw['macro_f1']:.4f}  ECE {tw['ece']:.4f}  "
        f"AUROC {'n/a' if auroc is None else f'{auroc:.4f}'}",
        "per-class F1: " + "  ".join(f"{k} {v:.4f}" for k, v in tw["per_class_f1"].items()),
        "confusion (rows gold, columns predicted): " + " ".join(tw["classes"]),
    ]
    for label, row in zip(tw["classes"], tw["confusion"]):
        lines.append(f"  {label:<10} " + " ".join(f"{n:>5}" for n in row))
    ids = result.get("model_ids") or {}
    if ids:
        lines.append("models: " + ", ".join(f"{k}={v}" for k, v in ids.items() if v))
    for warning in result.get("warnings", []):
        lines.append(f"warning: {warning}")
    return "\n".join(lines)


_FROM_SCIFACT = {v: k for k, v in _TO_SCIFACT.items()}


def fit_confidence_calibration(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract],
                               models: VerifierModels, *, folds: int = 5, fitted_on: str = "",
                               progress: bool = False) -> tuple[ConfidenceCalibrator, dict[str, float]]:
    """Fit the verdict-confidence calibration on labelled claims; also its cross-validated ECE
    (grouped by shared abstract) and AUROC.

    ``models`` must not already calibrate confidence (the raw confidences are what is fitted)."""
    from verifier.folds import claim_groups

    if models.confidence is not None or models.correctness is not None:
        raise ValueError("fit the calibration on raw confidences: load the models without one")
    predictions = predict(claims, corpus, models, progress=progress, desc="calibrating")
    labels, confidences, correct = calibration_inputs(predictions, corpus)
    figures = cross_validated_ece(labels, confidences, correct, folds=folds,
                                  groups=claim_groups(claims))
    figures["accuracy"] = sum(correct) / len(correct) if correct else 0.0
    calibrator = ConfidenceCalibrator.fit(labels, confidences, correct, fitted_on=fitted_on)
    return (ConfidenceCalibrator(calibrator.curves, fitted_on, figures,
                                 tuple(fingerprint(c) for c in claims)), figures)
