"""The stacked verdict confidence: a direction flip of the claim, the signed direction contrast
of the deciding source, and the correctness model that turns a verdict's features into P(right)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from verifier.contrast import direction_contrast, flipped_claim
from verifier.correctness import (
    CONFIDENCE_FEATURES, CorrectnessModel, confidence_features, deciding_contrast,
)
from verifier.verdict import SourceJudgement


@pytest.mark.parametrize(("claim", "flipped"), [
    ("Aspirin increases platelet aggregation.", "Aspirin decreases platelet aggregation."),
    ("Higher BMI is linked to lower survival.", "Lower BMI is linked to higher survival."),
    ("Metformin does not change fasting glucose.", "Metformin does change fasting glucose."),
    ("Statins are associated with myopathy.", "Statins are not associated with myopathy."),
])
def test_a_claim_is_flipped_by_its_direction_words_or_its_negation(claim: str, flipped: str) -> None:
    assert flipped_claim(claim) == flipped


def test_the_contrast_says_which_of_claim_and_opposite_the_passages_match() -> None:
    passages = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    claim, opposite = np.array([0.9, 0.1, 0.0]), np.array([0.1, 0.2, 0.9])
    assert direction_contrast(passages, claim, opposite) > 0
    assert direction_contrast(passages, opposite, claim) < 0
    assert direction_contrast(None, claim, opposite) == 0.0


def judgement(probs: tuple[float, float, float], contrast: float, *, cited: bool = True) -> SourceJudgement:
    label = ("supported", "contradicted", "not_enough_info")[int(np.argmax(probs))]
    return SourceJudgement("k", 1, None, None, cited, label, probs, (), (), contrast)


def test_the_contrast_of_the_deciding_source_speaks_for_or_against_the_verdict() -> None:
    sources = [judgement((0.7, 0.1, 0.2), -0.05), judgement((0.2, 0.6, 0.2), 0.03),
               judgement((0.9, 0.0, 0.1), 0.5, cited=False)]
    assert deciding_contrast("supported", sources) == pytest.approx(-0.05)  # reads like the opposite
    assert deciding_contrast("contradicted", sources) == pytest.approx(-0.03)
    assert deciding_contrast("not_enough_info", sources) == 0.0
    row = confidence_features("supported", (0.6, 0.1, 0.3), 0.6, sources)
    assert row.shape == (len(CONFIDENCE_FEATURES),) and row[1] == 1.0 and row[-1] == pytest.approx(-0.05)


def test_the_correctness_model_ranks_verdicts_by_what_predicts_them_right(tmp_path) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, len(CONFIDENCE_FEATURES)))
    right = (x[:, -1] + 0.3 * rng.normal(size=300)) > 0  # the contrast decides who is right
    model = CorrectnessModel.fit(x, right, fitted_on="test")
    high, low = x[0].copy(), x[0].copy()
    high[-1], low[-1] = 2.0, -2.0
    assert model.probability(high) > 0.8 > 0.2 > model.probability(low)
    loaded = CorrectnessModel.load(model.save(tmp_path / "correctness.json"))
    assert loaded.probability(high) == pytest.approx(model.probability(high))
    stored = json.loads((tmp_path / "correctness.json").read_text())
    stored["features"] = stored["features"][:-1]
    (tmp_path / "correctness.json").write_text(json.dumps(stored))
    with pytest.raises(ValueError, match="other confidence features"):
        CorrectnessModel.load(tmp_path / "correctness.json")
    constant = CorrectnessModel.fit(x[:10], [True] * 10)  # nothing to rank by: the smoothed rate
    assert constant.probability(high) == pytest.approx(11 / 12) == constant.probability(low)
