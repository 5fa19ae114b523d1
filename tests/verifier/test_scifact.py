"""SciFact format loading, the official metrics (fixture from the SciFact evaluator), the
three-way report and calibration error."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from verifier.calibration import TemperatureCalibrator, expected_calibration_error
from verifier.evaluation import evaluate_verifier
from verifier.pipeline import VerifierModels
from verifier.retrieval import IndexCache
from verifier.scifact import (
    SciFactFormatError, load_claims, load_corpus, load_predictions, scifact_metrics, three_way_report,
)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "scifact"


def test_metrics_reproduce_the_official_evaluator() -> None:
    gold = load_claims(FIXTURE / "gold_small.jsonl")
    predictions = load_predictions(FIXTURE / "predictions_small.jsonl")
    expected = json.loads((FIXTURE / "expected_metrics_small.json").read_text())
    metrics = scifact_metrics(gold, predictions)
    assert metrics == pytest.approx(expected, abs=1e-12)


def test_corpus_ids_int_or_str_and_abstracts_as_list_or_string(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        json.dumps({"doc_id": 7, "title": "T", "abstract": ["First sentence.", "Second one."]}) + "\n"
        + json.dumps({"doc_id": "abc", "text": "Alpha is high. Beta is 5 mg. Gamma (x) too."}) + "\n")
    docs = load_corpus(corpus)
    assert docs["7"].sentences == ("First sentence.", "Second one.")
    assert docs["abc"].sentences == ("Alpha is high.", "Beta is 5 mg.", "Gamma (x) too.")
    passages = docs["abc"].passages()
    assert [(p.start, p.end) for p in passages] == [(0, 14), (15, 28), (29, 43)]
    claims = tmp_path / "claims.jsonl"
    claims.write_text(json.dumps({"id": 3, "claim": "Beta is 5 mg.", "cited_doc_ids": ["abc", 7],
                                  "evidence": {"abc": [{"sentences": [1], "label": "SUPPORT"}]}}) + "\n")
    (claim,) = load_claims(claims)
    assert (claim.id, claim.cited_doc_ids, claim.label, claim.doc_label("7")) == ("3", ("abc", "7"), "SUPPORT", "NEI")


def test_malformed_lines_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"doc_id": 1, "text": "ok"}\n{"doc_id": 2, "abstract": 5}\n')
    with pytest.raises(SciFactFormatError, match=r"bad.jsonl:2: 'abstract' must be"):
        load_corpus(path)
    path.write_text('{"claim": "no id"}\n')
    with pytest.raises(SciFactFormatError, match=r"bad.jsonl:1: missing field 'id'"):
        load_claims(path)


def test_three_way_report_and_ece() -> None:
    report = three_way_report(["SUPPORT", "SUPPORT", "CONTRADICT", "NEI"],
                              ["SUPPORT", "NEI", "CONTRADICT", "NEI"], [0.9, 0.6, 0.8, 0.7])
    assert report.accuracy == 0.75
    assert report.confusion == [[1, 0, 1], [0, 1, 0], [0, 0, 1]]
    assert report.per_class_f1 == pytest.approx({"SUPPORT": 2 / 3, "CONTRADICT": 1.0, "NEI": 2 / 3})
    # bins: 0.6 wrong, 0.7 right, 0.8 right, 0.9 right → |0.6-0|+|0.7-1|+|0.8-1|+|0.9-1| over 4
    assert report.ece == pytest.approx((0.6 + 0.3 + 0.2 + 0.1) / 4)


def test_temperature_calibration_reduces_overconfidence() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, size=400)
    probs = np.full((400, 3), 0.01)
    right = rng.random(400) < 0.6  # 60 % accurate but 98 % confident
    predicted = np.where(right, labels, (labels + 1) % 3)
    probs[np.arange(400), predicted] = 0.98
    calibrator = TemperatureCalibrator.fit(probs, labels)
    assert calibrator.temperature > 1.5
    assert expected_calibration_error(calibrator.apply(probs), labels) < 0.1 < expected_calibration_error(probs, labels)


def test_evaluate_verifier_on_a_small_scifact_set(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(d) for d in [
        {"doc_id": 1, "abstract": ["Aspirin reduces the risk of stroke by 20% in adults.", "Side effects were rare."]},
        {"doc_id": 2, "abstract": ["Vitamin D does not prevent fractures in older adults.", "The trial enrolled 400 people."]},
        {"doc_id": 3, "abstract": ["Coffee intake was recorded.", "Sleep was measured by actigraphy."]},
    ]) + "\n")
    claims = tmp_path / "claims.jsonl"
    claims.write_text("\n".join(json.dumps(c) for c in [
        {"id": 1, "claim": "Aspirin reduces the risk of stroke by 20% in adults.", "cited_doc_ids": [1],
         "evidence": {"1": [{"sentences": [0], "label": "SUPPORT"}]}},
        {"id": 2, "claim": "Aspirin reduces the risk of stroke by 45% in adults.", "cited_doc_ids": [1],
         "evidence": {"1": [{"sentences": [0], "label": "CONTRADICT"}]}},
        {"id": 3, "claim": "Vitamin D prevents fractures in older adults.", "cited_doc_ids": [2],
         "evidence": {"2": [{"sentences": [0], "label": "CONTRADICT"}]}},
        {"id": 4, "claim": "Coffee improves sleep quality.", "cited_doc_ids": [3], "evidence": {}},
    ]) + "\n")
    result = evaluate_verifier(load_claims(claims), load_corpus(corpus), VerifierModels(IndexCache(None, None)))
    assert result["three_way"]["confusion"] == [[1, 0, 0], [0, 2, 0], [0, 0, 1]]
    assert result["abstract_label_only_f1"] == 1.0
    assert result["model_ids"]["stance"] == "checks-only"
