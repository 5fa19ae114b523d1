"""Deterministic checks: numbers, entities, negation; they decide what no model may."""

from __future__ import annotations

from verifier.checks import check

V2 = ("We study the effect of intermediate-task training (STILTs; Phang et al., 2018) with nine "
      "different English intermediate tasks on zero-shot cross-lingual transfer.")
V1 = V2.replace("nine", "seven")


def test_matching_numbers_and_terms_state_the_claim() -> None:
    result = check("We study intermediate-task training with nine different English intermediate tasks.", V2)
    assert [q.value for q in result.numbers_agree] == [9.0]
    assert result.stance == "supports" and not result.blocks_support


def test_a_different_number_for_the_same_quantity_contradicts() -> None:
    result = check("We study intermediate-task training with nine different English intermediate tasks.", V1)
    assert [(a.value, b.value) for a, b in result.numbers_conflict] == [(9.0, 7.0)]
    assert result.stance == "contradicts"
    assert "claim states nine, evidence states seven" in result.notes()


def test_a_number_the_evidence_does_not_state_blocks_support() -> None:
    result = check("The benchmark covers 40 languages and nine tasks.",
                   "The benchmark covers many typologically diverse languages and tasks.")
    assert [q.value for q in result.numbers_missing] == [40.0, 9.0]
    assert result.blocks_support and result.stance == "neutral"


def test_more_precision_than_the_evidence_is_not_agreement() -> None:
    result = check("Multi-task training improves by 8.73 points.", "Multi-task training improves by 8.7 points.")
    assert result.numbers_conflict and result.stance == "contradicts"
    rounded = check("Multi-task training improves by 9 points.", "Multi-task training improves by 8.7 points.")
    assert [q.value for q in rounded.numbers_agree] == [9.0]  # a rounded claim agrees
