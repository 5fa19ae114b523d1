"""Verdicts on abstract-style passages written for these tests (none restates a claim):
a number conflicts only with the same quantity, a negation only about the same things, a title
is never support, and a claim with several conditions needs each of them backed."""

from __future__ import annotations

import pytest

from verifier.checks import check
from verifier.passages import Passage
from verifier.pipeline import SourcePassages, VerifierModels, verify_claim
from verifier.retrieval import IndexCache

ADAPTERS = [
    "Parameter-efficient fine-tuning has become a popular alternative to updating every weight of a "
    "multilingual encoder.",
    "We compare bottleneck adapters with full fine-tuning of XLM-R on nine cross-lingual tasks.",
    "Adapters lift XNLI accuracy by 1.2 points relative to full fine-tuning while training 3% of the "
    "parameters.",
    "On MLQA, adapters improve exact match by 4 points but leave the F1 score unchanged.",
    "Adapter tuning performs best across the XTREME benchmark, raising the average score by 5.4 points "
    "over mBERT.",
    "Adapters bring no benefit on MNLI, SQuAD and HellaSwag.",
]
TITLE = "Sparse Mixture of Experts Improve Multilingual Translation"
MOE = [
    TITLE,
    "Scaling laws for dense translation models are well studied, but routing has received less attention.",
    "We train models on 200 language pairs and report results on FLORES.",
    "Our analysis focuses on expert utilisation and load balancing across languages.",
]


def source(texts: list[str], key: str = "2301.00001v1", title: str | None = None) -> list[SourcePassages]:
    items, offset = [], 0
    for i, text in enumerate(texts):
        items.append(Passage(i, text, offset, offset + len(text)))
        offset += len(text) + 1
    return [SourcePassages(key, items, 1, key.split("v")[0], 1, True, title)]


@pytest.fixture(scope="module")
def checks_only() -> VerifierModels:
    return VerifierModels(IndexCache(None, None))


def test_a_number_of_another_comparison_is_not_a_contradiction(checks_only) -> None:
    verdict = verify_claim("Adapter tuning performs best, improving by 8.7 points.", source(ADAPTERS), checks_only)
    assert verdict.label != "contradicted", verdict.explanation
    assert check("Adapter tuning performs best, improving by 8.7 points.", ADAPTERS[4]).stance == "neutral"


def test_the_same_quantity_with_another_value_contradicts(checks_only) -> None:
    claim = "Adapter tuning improves XNLI accuracy by 3.1 points over full fine-tuning."
    verdict = verify_claim(claim, source(ADAPTERS), checks_only)
    assert verdict.label == "contradicted", verdict.explanation
    assert "claim states 3.1, evidence states 1.2" in verdict.explanation


@pytest.mark.parametrize("claim", [
    "Adapters improve XNLI accuracy by 3.1 points over mBERT.",          # another baseline
    "On MLQA, adapters improve F1 by 4 points.",                          # another metric... same value
    "On MLQA, adapters improve F1 by 2 points.",                          # another metric
    "On TyDiQA, adapters improve exact match by 2 points.",               # another task
    "Across the XTREME benchmark, adapters raise the average score by 2.5 points over XLM-R.",  # baseline
])
def test_a_different_comparison_is_neutral(claim: str, checks_only) -> None:
    verdict = verify_claim(claim, source(ADAPTERS), checks_only)
    assert verdict.label != "contradicted", verdict.explanation
    assert all(e.stance != "contradicts" for e in verdict.evidence)


def test_a_negation_about_other_tasks_does_not_contradict(checks_only) -> None:
    claim = "Adapters bring clear benefits on TyDiQA and XNLI."
    verdict = verify_claim(claim, source(ADAPTERS), checks_only)
    assert verdict.label != "contradicted", verdict.explanation
    assert check(claim, ADAPTERS[5]).stance == "neutral"


def test_a_negation_about_the_same_task_contradicts(checks_only) -> None:
    verdict = verify_claim("Adapters bring benefits on MNLI.", source(ADAPTERS), checks_only)
    assert verdict.label == "contradicted", verdict.explanation


@pytest.mark.parametrize("title", [TITLE, None])
def test_a_title_alone_never_supports(title: str | None, checks_only) -> None:
    claim = "Sparse mixture of experts improve multilingual translation."
    verdict = verify_claim(claim, source(MOE, title=title), checks_only)
    assert verdict.label == "not_enough_info", verdict.explanation
    assert all(e.stance == "neutral" for e in verdict.evidence)


def test_every_condition_of_a_claim_must_be_backed(checks_only) -> None:
    passages = source([
        "Knowledge distillation compresses a large teacher into a smaller student.",
        "Our distilled student keeps 97% of its teacher's performance on the GLUE benchmark.",
        "Training takes three days on eight accelerators.",
    ])
    backed = verify_claim("The distilled student keeps 97% of the teacher's GLUE performance.", passages, checks_only)
    assert backed.label == "supported", backed.explanation
    both = verify_claim("The distilled student keeps 97% of the teacher's GLUE performance, whereas "
                        "its inference latency on mobile phones drops by half.", passages, checks_only)
    assert both.label == "not_enough_info", both.explanation
    assert "does not back" in both.explanation


def test_entity_families_come_from_the_lexicon_file() -> None:
    from verifier.lexicon import LEXICON_FILE, PARENTS, find_entities, with_families

    assert LEXICON_FILE.name == "lexicon.yaml" and LEXICON_FILE.is_file()
    assert {"Llama 2", "LLaMA"} <= with_families({"Llama 2 70B"})
    assert "Llama 2 70B" not in with_families({"LLaMA"})
    assert PARENTS["XLM-R Large"] == "XLM-R"
    names = {(e.name, e.kind) for e in find_entities("GPT-4 beats Llama-2-70b on GSM8K and MMLU in German.")}
    assert names == {("GPT-4", "model"), ("Llama 2 70B", "model"), ("GSM8K", "task"),
                     ("MMLU", "benchmark"), ("German", "language")}


@pytest.mark.parametrize(("claim", "passage", "stance"), [
    ("A20 knockdown accelerates glioma growth.",
     "In mouse xenografts, A20 knockdown inhibited glioma growth and prolonged survival.", "contradicts"),
    ("A20 knockdown accelerates glioma growth.",
     "In mouse xenografts, A20 knockdown accelerated glioma growth.", "supports"),
    ("Curriculum ordering slows the convergence of small language models.",
     "Across five seeds, curriculum ordering accelerated the convergence of small language models.",
     "contradicts"),
    ("Label noise exacerbates overfitting of the classifier.",
     "Injecting label noise suppressed overfitting of the classifier, acting as a regulariser.", "contradicts"),
])
def test_effect_verbs_of_opposite_directions_conflict(claim: str, passage: str, stance: str) -> None:
    assert check(claim, passage).stance == stance


def test_direction_words_are_lexicon_data_and_checked(tmp_path) -> None:
    from verifier.lexicon import DIRECTION_WORDS, direction_pattern, load_direction_words

    assert {"accelerates", "exacerbated"} <= set(DIRECTION_WORDS["up"])
    assert {"inhibits", "slowed"} <= set(DIRECTION_WORDS["down"])
    assert direction_pattern(("increas*", "rose")).findall("It increased, then rose, then increasingly rosea") == [
        "increased", "rose", "increasingly"]
    both = tmp_path / "both.yaml"
    both.write_text("direction_words:\n  up: [boost*, lift]\n  down: [lift, drop*]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="lists lift both up and down"):
        load_direction_words(both)
    odd = tmp_path / "odd.yaml"
    odd.write_text("direction_words:\n  up: [boost*, 'go up']\n  down: [drop*]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="direction_words.up .*go up"):
        load_direction_words(odd)


@pytest.mark.parametrize("passage", [
    "In a randomised trial of 2,000 adults, vitamin D supplementation was not associated with fracture risk.",
    "Fracture risk was unchanged by vitamin D supplementation over five years of follow-up.",
    "Vitamin D supplementation showed no significant association with fracture risk in older adults.",
])
def test_a_null_finding_contradicts_a_claimed_effect(passage: str) -> None:
    assert check("Vitamin D supplementation reduces fracture risk.", passage).stance == "contradicts"
