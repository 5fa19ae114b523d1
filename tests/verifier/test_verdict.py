"""Verdicts end to end over constructed passages: supported, contradicted by a changed number,
contradicted by negation, supported by one version and contradicted by another, not settled;
and the NLI path through a tiny locally built transformers model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from verifier.calibration import TemperatureCalibrator
from verifier.nli import LabelMappingError, NLIModel, map_labels
from verifier.passages import Passage
from verifier.pipeline import SourcePassages, VerifierModels, verify_claim
from verifier.retrieval import IndexCache

V2_TEXT = [
    "Intermediate-task training often improves model performance on English language understanding tasks.",
    "We study the effect of intermediate-task training (STILTs; Phang et al., 2018) with nine different "
    "English intermediate tasks on zero-shot cross-lingual transfer.",
    "Evaluating our best performing models for each target task on the XTREME benchmark yields an average "
    "improvement of 5.4 points.",
    "TyDiQA shows consistent improvements with many intermediate tasks, whereas XNLI does not see benefits "
    "from intermediate-task training.",
    "We use the pretrained XLM-R Large model as a starting point for all our experiments.",
]
V1_TEXT = [
    V2_TEXT[0],
    V2_TEXT[1].replace("nine", "seven"),
    V2_TEXT[2].replace("5.4", "6.1"),
    "We use the pretrained XLM-R Large model as a starting point for all our experiments.",
]


def passages(texts: list[str]) -> list[Passage]:
    out, offset = [], 0
    for i, text in enumerate(texts):
        out.append(Passage(i, text, offset, offset + len(text), page=1 + i // 2))
        offset += len(text) + 1
    return out


def sources(cited_version: int = 2) -> list[SourcePassages]:
    v2 = SourcePassages("2005.13013v2", passages(V2_TEXT), 2, "2005.13013", 2, cited=cited_version == 2)
    v1 = SourcePassages("2005.13013v1", passages(V1_TEXT), 1, "2005.13013", 1, cited=cited_version == 1)
    return [v2, v1]


@pytest.fixture(scope="module")
def checks_only() -> VerifierModels:
    return VerifierModels(IndexCache(None, None))


def test_supported_claim_cites_its_evidence(checks_only: VerifierModels) -> None:
    verdict = verify_claim("We use the pretrained XLM-R Large model as a starting point for all our experiments.",
                           sources(), checks_only)
    assert verdict.label == "supported" and verdict.confidence > 0.5
    top = verdict.evidence[0]
    assert (top.source_key, top.version, top.page, top.stance) == ("2005.13013v2", 2, 3, "supports")
    assert top.text == V2_TEXT[4] and (top.char_start, top.char_end) != (0, 0)
    assert verdict.model_ids["nli"] is None and "no NLI model" in verdict.explanation


def test_changed_number_is_contradicted(checks_only: VerifierModels) -> None:
    verdict = verify_claim("Evaluating our best performing models for each target task on the XTREME benchmark "
                           "yields an average improvement of 7.9 points.", sources(), checks_only)
    assert verdict.label == "contradicted"
    assert "claim states 7.9, evidence states 5.4" in verdict.explanation


def test_negation_is_contradicted(checks_only: VerifierModels) -> None:
    verdict = verify_claim("XNLI sees benefits from intermediate-task training.", sources(), checks_only)
    assert verdict.label == "contradicted"
    assert verdict.evidence[0].stance == "contradicts" and "XNLI does not" in verdict.evidence[0].text


def test_versions_disagree_and_the_cited_one_decides(checks_only: VerifierModels) -> None:
    claim = ("We study the effect of intermediate-task training (STILTs; Phang et al., 2018) with nine "
             "different English intermediate")
    cited_v2 = verify_claim(claim, sources(cited_version=2), checks_only)
    assert cited_v2.label == "supported"
    assert cited_v2.version_notes == [
        "2005.13013: contradicted by v1, supported by v2 (cited); the versions disagree"]
    assert cited_v2.completed_text == V2_TEXT[1]
    cited_v1 = verify_claim(claim, sources(cited_version=1), checks_only)
    assert cited_v1.label == "contradicted"
    assert "contradicted by v1 (cited), supported by v2" in cited_v1.version_notes[0]


def test_hallucinated_specifics_are_not_enough_info(checks_only: VerifierModels) -> None:
    verdict = verify_claim("Intermediate-task training on SQuAD, MNLI, and HellaSwag yields large target-task "
                           "improvements of 8.2, 7.5, and 7.0 point", sources(), checks_only)
    assert verdict.label == "not_enough_info"
    assert all(e.stance != "supports" for e in verdict.evidence)
    no_sources = verify_claim("Anything at all.", [], checks_only)
    assert no_sources.label == "unchecked" and no_sources.confidence is None
    assert "cites no source" in no_sources.explanation


def test_a_cited_source_without_text_is_named_and_settles_nothing(checks_only: VerifierModels) -> None:
    unfetched = SourcePassages("2104.07412v2", [], 9, "2104.07412", 2)
    claim = "We use the pretrained XLM-R Large model as a starting point for all our experiments."
    verdict = verify_claim(claim, [*sources(), unfetched], checks_only)
    assert verdict.label == "supported"  # the readable source still decides
    assert "Not checked, no text (fetch or attach them): 2104.07412v2." in verdict.explanation
    alone = verify_claim(claim, [unfetched], checks_only)
    assert alone.label == "unchecked" and alone.evidence == [] and alone.confidence is None
    assert alone.explanation.startswith("unchecked: 0 of 1 cited source has text: run `claimtrace "
                                        "sources fetch`, or attach copies with `claimtrace sources add")
    assert alone.unread_sources == ["2104.07412v2"] and alone.cited_sources == 1
    assert "2104.07412v2" in alone.explanation


def test_label_mapping_from_config_names() -> None:
    assert map_labels({0: "ENTAILMENT", 1: "NEUTRAL", 2: "CONTRADICTION"}) == {
        0: "supports", 1: "neutral", 2: "contradicts"}
    assert map_labels({"0": "SUPPORT", "1": "CONTRADICT", "2": "NEI"}) == {
        0: "supports", 1: "contradicts", 2: "neutral"}
    assert map_labels({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}) == {
        0: "supports", 1: "neutral", 2: "contradicts"}
    assert map_labels({0: "entailment", 1: "not_entailment"}) == {0: "supports", 1: "neutral"}
    with pytest.raises(LabelMappingError, match="'positive'"):
        map_labels({0: "positive", 1: "negative"})


@pytest.fixture(scope="module")
def tiny_nli(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny BERT classifier with a locally trained WordPiece tokenizer (no hub access)."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-nli")
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer.train_from_iterator(V2_TEXT + V1_TEXT, trainers.WordPieceTrainer(vocab_size=300, special_tokens=specials))
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    fast.save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=fast.vocab_size, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=256, num_labels=3,
                        id2label={0: "CONTRADICTION", 1: "NEUTRAL", 2: "ENTAILMENT"},
                        label2id={"CONTRADICTION": 0, "NEUTRAL": 1, "ENTAILMENT": 2})
    model = BertForSequenceClassification(config)
    with torch.no_grad():  # a model that always says "entailment": the checks must still rule
        model.classifier.bias.copy_(torch.tensor([-4.0, -4.0, 4.0]))
        model.classifier.weight.zero_()
    model.save_pretrained(folder)
    TemperatureCalibrator(temperature=2.0).save(folder)
    return folder


def test_nli_path_maps_labels_and_checks_override_the_model(tiny_nli: Path) -> None:
    nli = NLIModel(tiny_nli)
    probs = nli.predict([("a premise", "a hypothesis"), ("other", "text")])
    assert probs.shape == (2, 3) and np.allclose(probs.sum(axis=1), 1.0) and probs[0, 0] > 0.99
    models = VerifierModels.load(nli_model=str(tiny_nli), embedding_model=None)
    assert models.calibrator is not None and models.calibrator.temperature == 2.0
    supported = verify_claim(V2_TEXT[4], sources(), models)
    assert supported.label == "supported" and supported.model_ids["nli"] == str(tiny_nli)
    assert supported.model_ids["calibration"] == "temperature=2.000"
    assert 0.5 < supported.confidence < 0.99  # calibrated: softened by the temperature
    changed = verify_claim(V2_TEXT[2].replace("5.4", "7.9"), sources(), models)
    assert changed.label == "contradicted"
    unsettled = verify_claim("The XTREME benchmark covers 40 languages.", sources(), models)
    assert unsettled.label == "not_enough_info"


def test_a_cross_encoder_that_always_contradicts_cannot_overturn_the_checks(tiny_nli: Path, tmp_path: Path) -> None:
    import shutil

    import torch
    from transformers import BertForSequenceClassification

    folder = tmp_path / "always-contradicts"
    shutil.copytree(tiny_nli, folder)
    model = BertForSequenceClassification.from_pretrained(folder)
    with torch.no_grad():
        model.classifier.bias.copy_(torch.tensor([4.0, -4.0, -4.0]))  # index 0 is CONTRADICTION
    model.save_pretrained(folder)
    models = VerifierModels.load(nli_model=str(folder), embedding_model=None)
    assert verify_claim(V2_TEXT[4], sources(), models).label == "supported"  # a passage states it
    # a number the sources never give, and another subject: the model alone never contradicts
    assert verify_claim("The XTREME benchmark covers 40 languages.", sources(), models).label != "contradicted"
    assert verify_claim("Prompt tuning halves the memory of speech recognisers.", sources(),
                        models).label != "contradicted"


def test_a_calibration_moves_the_confidence_never_the_verdict(tiny_nli: Path, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "biased"
    shutil.copytree(tiny_nli, folder)
    TemperatureCalibrator(temperature=1.0, bias=(0.0, 0.0, 5.0)).save(folder)  # leans to "not enough info"
    plain = verify_claim(V2_TEXT[4], sources(), VerifierModels.load(nli_model=str(tiny_nli), embedding_model=None))
    biased = verify_claim(V2_TEXT[4], sources(), VerifierModels.load(nli_model=str(folder), embedding_model=None))
    assert plain.label == biased.label == "supported"
    assert biased.confidence < plain.confidence
