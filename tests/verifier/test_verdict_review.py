"""Review regressions: incidental negation, entity families, the conflicting number named,
and the evidence a verdict offers as support (checks only, constructed passages)."""

from __future__ import annotations

import re

from tests.fakes.papers import STILTS
from verifier.checks import check
from verifier.passages import Passage
from verifier.pipeline import SourcePassages, VerifierModels, verify_claim



def _source() -> SourcePassages:
    """The fake arXiv's 2005.13013v2 text, one passage a sentence, section headings included
    (as the PDF text gives them: "2 Results Intermediate-task training on ...")."""
    out, offset = [], 0
    for page, text in enumerate(STILTS.version(2).pages, 1):
        for sentence in re.split(r"(?<=[.:])\s+(?=[A-Z0-9])", " ".join(text.split())):
            out.append(Passage(len(out), sentence, offset, offset + len(sentence), page))
            offset += len(sentence) + 1
    return SourcePassages("2005.13013v2", out, 1, "2005.13013", 2, True)


def _verify(claim: str):
    return verify_claim(claim, [_source()], VerifierModels.load(embedding_model=None))


def test_an_incidental_negation_contradicts_nothing_but_a_denied_effect_does() -> None:
    truncated = _verify("Applying intermediate-task training to BUCC and Tatoeba, the two sentence retrieval "
                        "target tasks that have no training d")
    assert truncated.label == "not_enough_info", truncated.explanation
    denied = _verify("Intermediate-task training has no effect on the BUCC and Tatoeba sentence retrieval tasks.")
    assert denied.label == "contradicted"
    unrelated = check("XNLI does not see benefits from intermediate training.",
                      "XNLI results of intermediate training are in the appendix.")
    assert not unrelated.polarity_conflict


def test_a_passage_naming_xlm_r_large_mentions_xlm_r_but_not_the_reverse() -> None:
    general = _verify("We use the pretrained XLM-R model as a starting point for all our experiments.")
    assert general.label == "supported", general.explanation
    assert check("We use XLM-R Large.", "We use XLM-R.").entities_missing == ("XLM-R Large",)


def test_the_conflicting_number_named_is_the_closest_not_a_section_number() -> None:
    result = _verify("Intermediate-task training on SQuAD yields a target-task improvement of 9.9 points.")
    assert result.label == "contradicted"
    assert "claim states 9.9, evidence states 8.2" in result.explanation
    listed = _verify("Intermediate-task training on SQuAD, MNLI, and HellaSwag yields large target-task "
                     "improvements of 8.2, 7.5, and 9.0 points.")
    assert listed.label == "contradicted" and "claim states 9.0, evidence states 7.0" in listed.explanation


def test_a_passage_with_another_value_is_never_offered_as_support() -> None:
    result = _verify("Evaluating the best performing models for each target task on the XTREME benchmark "
                     "yields an average improvement of 5.4 points.")
    assert result.label == "supported"
    supports = [e.text for e in result.evidence if e.stance == "supports"]
    assert supports and all("8.7" not in text for text in supports), supports
    assert any("5.4 points" in text for text in supports)
