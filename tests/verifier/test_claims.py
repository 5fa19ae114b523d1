"""Claim analysis: quantities, entities, direction/negation, truncation and completion."""

from __future__ import annotations

import pytest

from verifier.claims import analyze, complete_claim, extract_quantities, is_truncated
from verifier.lexicon import find_entities


def _q(text: str) -> list[tuple[float, str, str | None]]:
    return [(q.value, q.kind, q.unit) for q in extract_quantities(text)]


def test_list_of_deltas_shares_the_unit_of_the_last_number() -> None:
    text = "Intermediate-task training yields large target-task improvements of 8.2, 7.5, and 7.0 point"
    assert _q(text) == [(8.2, "delta", "points"), (7.5, "delta", "points"), (7.0, "delta", "points")]


def test_counts_deltas_percent_and_number_words() -> None:
    assert _q("Multi-task training on all 9 tasks performs best, improving by 8.7 points.") == [
        (9.0, "count", "tasks"), (8.7, "delta", "points")]
    assert _q("with nine different English intermediate tasks") == [(9.0, "count", "tasks")]
    assert _q("accuracy rose to 76.5% on XNLI") == [(76.5, "percent", "%")]
    assert _q("a gain of +6.1 on XTREME") == [(6.1, "delta", None)]


def test_citation_years_and_identifiers_are_not_claimed_figures() -> None:
    quantities = extract_quantities("STILTs (Phang et al., 2018) on arXiv 2005.13013v2 with GPT-3")
    assert [(q.value, q.kind) for q in quantities] == [(2018.0, "year")]
    assert analyze("STILTs (Phang et al., 2018)").checked_quantities == ()
    assert _q("one of the zero-shot settings") == []


def test_entities_longest_form_wins_and_kinds_are_known() -> None:
    found = [(e.name, e.kind) for e in find_entities(
        "XLM-R Large and mBERT on XTREME-R and XTREME; TyDi QA, PAWS-X and English")]
    assert found == [("XLM-R Large", "model"), ("mBERT", "model"), ("XTREME-R", "benchmark"),
                     ("XTREME", "benchmark"), ("TyDiQA", "task"), ("PAWS-X", "task"),
                     ("English", "language")]


@pytest.mark.parametrize(("text", "polarity"), [
    ("Training on English intermediate tasks outperforms the alternatives.", 1),
    ("XNLI does not see benefits from intermediate-task training.", -1),
    ("Intermediate training hurts POS tagging.", -1),
    ("Intermediate training does not hurt POS tagging.", 1),
    ("The study uses target tasks from the XTREME benchmark.", 0),
    ("Silencing A20 accelerates glioma growth in mouse xenografts.", 1),
    ("Silencing A20 inhibits glioma growth in mouse xenografts.", -1),
    ("Silencing A20 does not inhibit glioma growth.", 1),
    ("Curriculum ordering slows the convergence of small language models.", -1),
    ("Label noise exacerbates overfitting on small datasets.", 1),
    # Nouns of an intervention or a thing carry no direction; "fewer" qualifies a condition.
    ("ACE inhibitors increase the risk of renal failure.", 1),
    ("Activation checkpointing reduces memory use.", -1),
    ("Roflumilast reduces COPD exacerbations.", -1),
    ("Hardware accelerators reduce training time.", -1),
    ("The distilled model improves accuracy with fewer parameters.", 1),
    ("TNFAIP3 acts as a tumour suppressor in glioblastoma.", 0),
    ("Methylation of the DUSP4 promoter is common in breast cancer.", 0),
    # Nouns of a change keep their direction.
    ("Upregulation of PD-1 marks exhausted T cells.", 1),
    ("Inhibition of A20 in glioma stem cells.", -1),
])
def test_direction_and_negation(text: str, polarity: int) -> None:
    assert analyze(text).polarity == polarity


def test_contrastive_clauses_keep_their_own_polarity() -> None:
    clauses = analyze("TyDiQA shows consistent improvements, whereas XNLI does not see benefits").clauses
    assert [c.polarity for c in clauses] == [1, -1]


def test_truncation_and_completion_from_evidence() -> None:
    claim = "Evaluating our best performing models on the XTREME benchmark yields an average improvement of 5.4"
    assert is_truncated(claim) and not is_truncated(claim + " points.")
    evidence = ("Evaluating our best performing models on the XTREME benchmark yields an average "
                "improvement of 5.4 points, setting a new state of the art. Another sentence.")
    assert complete_claim(claim, evidence) == (
        claim + " points, setting a new state of the art.")
    cut = "yields large target-task improvements of 8.2, 7.5, and 7.0 point"
    assert complete_claim(cut, "It yields large target-task improvements of 8.2, 7.5, and 7.0 points, "
                          "respectively.") == cut + "s, respectively."
    assert complete_claim(cut, "Nothing to do with the claim.") is None
