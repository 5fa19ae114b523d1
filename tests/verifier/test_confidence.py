"""Confidence calibration: isotonic per label, cross-validated ECE, save/load."""

from __future__ import annotations

import numpy as np

from verifier.confidence import ConfidenceCalibrator, cross_validated_ece


def overconfident_sample(n: int = 400, seed: int = 1):
    """Verdicts that claim 0.9-1.0 confidence but are right only 40 % of the time."""
    rng = np.random.default_rng(seed)
    labels = rng.choice(["supported", "not_enough_info"], size=n)
    confidence = rng.uniform(0.9, 1.0, size=n)
    correct = rng.random(n) < 0.4
    return labels, confidence, correct


def test_calibration_brings_overconfident_verdicts_down_to_their_accuracy(tmp_path) -> None:
    labels, confidence, correct = overconfident_sample()
    calibrator = ConfidenceCalibrator.fit(labels, confidence, correct, fitted_on="synthetic")
    calibrated = np.array([calibrator.apply(l, c) for l, c in zip(labels, confidence)])
    assert abs(calibrated.mean() - correct.mean()) < 0.05
    assert calibrator.apply("contradicted", 0.93) == 0.93  # no data for that label: left alone
    loaded = ConfidenceCalibrator.load(calibrator.save(tmp_path / "c.json"))
    assert loaded.apply("supported", 0.95) == calibrator.apply("supported", 0.95)
    assert loaded.model_id == "isotonic-confidence(synthetic)"


def test_cross_validated_ece_drops_for_overconfident_verdicts() -> None:
    figures = cross_validated_ece(*overconfident_sample(), folds=5)
    assert figures["ece_raw"] > 0.4
    assert figures["ece_calibrated_cv"] < 0.1


def test_calibration_is_monotone_in_the_raw_confidence() -> None:
    rng = np.random.default_rng(3)
    confidence = rng.uniform(0, 1, 500)
    correct = rng.random(500) < confidence  # already calibrated data
    calibrator = ConfidenceCalibrator.fit(["supported"] * 500, confidence, correct)
    values = [calibrator.apply("supported", c) for c in np.linspace(0, 1, 21)]
    assert values == sorted(values)


def test_checks_only_models_carry_the_packaged_calibration() -> None:
    from verifier.pipeline import VerifierModels

    models = VerifierModels.load(embedding_model=None)
    assert models.nli is None and models.confidence is not None
    assert models.model_ids()["calibration"] == "isotonic-confidence(scifact-subset/claims.jsonl)"
    assert models.confidence.metrics["ece_calibrated_cv"] < models.confidence.metrics["ece_raw"]
    assert VerifierModels.load(embedding_model=None, calibrate_checks_only=False).confidence is None


def test_calibrate_command_fits_and_reports_cross_validated_ece(tmp_path) -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    corpus, claims = [], []
    for i in range(30):
        corpus.append({"doc_id": i, "text": f"Drug {i} lowers blood pressure by {i + 10} percent in adults."})
        if i % 3 == 0:
            claims.append({"id": i, "claim": f"Drug {i} lowers blood pressure by {i + 10} percent in adults.",
                           "evidence": {str(i): [{"sentences": [0], "label": "SUPPORT"}]}, "cited_doc_ids": [i]})
        elif i % 3 == 1:
            claims.append({"id": i, "claim": f"Drug {i} lowers blood pressure by {i + 50} percent in adults.",
                           "evidence": {str(i): [{"sentences": [0], "label": "CONTRADICT"}]}, "cited_doc_ids": [i]})
        else:
            claims.append({"id": i, "claim": f"Drug {i} cures migraine in children.", "evidence": {},
                           "cited_doc_ids": [i]})
    # claims whose cited abstract is not in the corpus are unchecked: no verdict to calibrate on
    claims += [{"id": 100 + i, "claim": f"Drug {i} lowers blood pressure.", "evidence": {},
                "cited_doc_ids": [500 + i]} for i in range(5)]
    (tmp_path / "claims.jsonl").write_text("\n".join(json.dumps(c) for c in claims))
    (tmp_path / "corpus.jsonl").write_text("\n".join(json.dumps(d) for d in corpus))
    out = tmp_path / "calibration.json"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "claimtrace"), "verifier", "calibrate", "--claims",
         str(tmp_path / "claims.jsonl"), "--corpus", str(tmp_path / "corpus.jsonl"), "-o", str(out), "--folds", "3"],
        capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "CLAIMTRACE_EMBEDDING_MODEL": "none"},
    )
    assert result.returncode == 0, result.stderr
    assert "30 claims" in result.stdout and "3-fold cross-validated" in result.stdout
    saved = json.loads(out.read_text())
    assert saved["fitted_on"].endswith("claims.jsonl") and saved["metrics"]["n"] == 30.0
