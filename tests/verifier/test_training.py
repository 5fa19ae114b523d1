"""`verifier train`, `eval-verifier` and `verifier calibrate` through the CLI on a small
SciFact-format set written for the tests, with a tiny encoder built locally; plus the parts of
training (perturbations, grouped folds, manifest) and tests that fail when a calibration is
not applied or the on-disk index cache is never read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from verifier.calibration import TemperatureCalibrator
from verifier.confidence import ConfidenceCalibrator
from verifier.folds import claim_groups, fingerprint, grouped_folds
from verifier.passages import Passage
from verifier.pipeline import SourcePassages, VerifierModels, verify_claim
from verifier.retrieval import Embedder, IndexCache, passages_digest
from verifier.scifact import Rationale, SciFactClaim
from verifier.training import change_number, negate, swap_direction

CLAIMTRACE = str(Path(sys.executable).parent / "claimtrace")
DRUGS = ["aspirin", "metformin", "statins", "lithium", "insulin", "warfarin", "heparin", "ibuprofen",
         "codeine", "digoxin", "atenolol", "losartan"]


def write_dataset(folder: Path) -> tuple[Path, Path]:
    """36 claims over 12 abstracts: per abstract a supported, a contradicted and an NEI claim."""
    corpus, claims = [], []
    for i, drug in enumerate(DRUGS):
        corpus.append({"doc_id": 100 + i, "text": (
            f"Background: the effect of {drug} on blood pressure in older adults is debated. "
            f"Methods: we randomised {200 + i} patients to {drug} or placebo for one year. "
            f"Results: {drug} lowered systolic blood pressure by {i + 5} mmHg compared with placebo. "
            f"Adverse events were rare and mild in both groups. "
            f"Adherence was above ninety percent at every visit. "
            f"Longer trials are needed to assess cardiovascular outcomes.")})
        doc = str(100 + i)
        claims += [
            {"id": 3 * i, "claim": f"{drug.capitalize()} lowers systolic blood pressure in older adults.",
             "evidence": {doc: [{"sentences": [2], "label": "SUPPORT"}]}, "cited_doc_ids": [100 + i]},
            {"id": 3 * i + 1, "claim": f"{drug.capitalize()} raises systolic blood pressure in older adults.",
             "evidence": {doc: [{"sentences": [2], "label": "CONTRADICT"}]}, "cited_doc_ids": [100 + i]},
            {"id": 3 * i + 2, "claim": f"{drug.capitalize()} prevents migraine in children.",
             "evidence": {}, "cited_doc_ids": [100 + i]},
        ]
    (folder / "claims.jsonl").write_text("\n".join(json.dumps(c) for c in claims))
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps(d) for d in corpus))
    return folder / "claims.jsonl", folder / "corpus.jsonl"


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny BERT encoder with a locally trained WordPiece tokenizer (no hub access)."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-encoder")
    data = tmp_path_factory.mktemp("text")
    claims, corpus = write_dataset(data)
    lines = [json.loads(line).get("text") or json.loads(line).get("claim")
             for line in (claims.read_text() + "\n" + corpus.read_text()).splitlines()]
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer.train_from_iterator(lines, trainers.WordPieceTrainer(vocab_size=400, special_tokens=specials))
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                            sep_token="[SEP]", mask_token="[MASK]").save_pretrained(folder)
    torch.manual_seed(0)
    BertModel(BertConfig(vocab_size=400, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=32, max_position_embeddings=256)).save_pretrained(folder)
    return folder


def run(*args: str, data_dir: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "CLAIMTRACE_EMBEDDING_MODEL": "none", "CLAIMTRACE_DATA_DIR": str(data_dir)}
    return subprocess.run([CLAIMTRACE, *args], capture_output=True, text=True, timeout=timeout, env=env)


def test_train_with_grouped_cv_then_eval_excludes_what_the_model_saw(tiny_encoder: Path, tmp_path: Path) -> None:
    claims, corpus = write_dataset(tmp_path)
    data = tmp_path / "data"
    trained = run("verifier", "train", "--claims", str(claims), "--corpus", str(corpus), "--base-model",
                  str(tiny_encoder), "--epochs", "1", "--cv", "3", "--json", data_dir=data)
    assert trained.returncode == 0, trained.stderr
    manifest = json.loads(trained.stdout)
    model = data / "models" / "verifier-stance"
    assert json.loads((model / "manifest.json").read_text()) == {"kind": "claimtrace-stance-model", **manifest}
    assert (model / "calibration.json").is_file() and (model / "config.json").is_file()
    assert manifest["data"]["claims"] == 36 and len(manifest["data"]["sha256"]) == 64
    assert "number" not in manifest["examples"] and "negation" not in manifest["examples"]  # none to change
    assert manifest["examples"]["direction"] > 0 and manifest["examples"]["removed"] > 0
    train_ids, held_ids = set(manifest["train_claim_ids"]), set(manifest["calibration_claim_ids"])
    assert held_ids and not train_ids & held_ids and len(train_ids | held_ids) == 36
    cv = manifest["cv"]
    assert cv["folds"] == 3 and cv["grouped_by"] == "shared cited abstract"
    for path in ("learned", "checks_only"):
        assert cv[path]["n_claims"] == 36
        assert cv[path]["three_way"]["auroc"] is None or 0 <= cv[path]["three_way"]["auroc"] <= 1
    assert manifest["beats_checks_only"] == cv["beats_checks_only"]
    assert "fine-tuning" in trained.stderr  # progress bars on stderr

    evaluated = run("eval-verifier", "--claims", str(claims), "--corpus", str(corpus), "--json",
                    "--nli-model", str(model), data_dir=data)
    assert evaluated.returncode == 0, evaluated.stderr
    result = json.loads(evaluated.stdout)
    assert set(result["excluded_claim_ids"]) == {str(i) for i in train_ids}
    assert result["n_claims"] == len(held_ids) and result["in_sample"] is False
    assert any("used to train the stance model and are excluded" in w for w in result["warnings"])
    assert any("switched off" in w for w in result["warnings"])  # its calibration saw the rest
    assert "warning:" in evaluated.stderr

    in_sample = run("eval-verifier", "--claims", str(claims), "--corpus", str(corpus), "--json",
                    "--nli-model", str(model), "--include-seen", data_dir=data)
    flagged = json.loads(in_sample.stdout)
    assert flagged["n_claims"] == 36 and flagged["in_sample"] is True
    assert len(flagged["seen"]["model"]) == len(train_ids)
    assert any("in-sample" in w for w in flagged["warnings"])


def test_calibrate_writes_to_the_data_dir_not_the_source_tree(tmp_path: Path) -> None:
    from verifier.confidence import PACKAGED_CHECKS_ONLY

    before = PACKAGED_CHECKS_ONLY.read_bytes()
    claims, corpus = write_dataset(tmp_path)
    data = tmp_path / "data"
    result = run("verifier", "calibrate", "--claims", str(claims), "--corpus", str(corpus), "--folds", "3",
                 data_dir=data)
    assert result.returncode == 0, result.stderr
    written = data / "calibration" / "checks_only.json"
    assert f"calibration written to {written}" in result.stdout and "AUROC" in result.stdout
    assert PACKAGED_CHECKS_ONLY.read_bytes() == before
    saved = json.loads(written.read_text())
    assert len(saved["claims"]) == 36
    models = VerifierModels.load(embedding_model=None, data_dir=data)
    assert models.confidence is not None and models.confidence.claims == tuple(saved["claims"])
    evaluated = run("eval-verifier", "--claims", str(claims), "--corpus", str(corpus), "--json", data_dir=data)
    report = json.loads(evaluated.stdout)
    assert report["n_claims"] == 36 and len(report["seen"]["calibration"]) == 36
    assert report["model_ids"].get("calibration") is None  # switched off: fitted on these claims


def test_perturbations_change_what_the_claim_says() -> None:
    assert change_number("Treatment lowers mortality by 12% within 30 days.") == \
        "Treatment lowers mortality by 27% within 30 days."
    assert negate("Vitamin D is associated with lower fracture risk.") == \
        "Vitamin D is not associated with lower fracture risk."
    assert negate("Vitamin D is not associated with fracture risk.") is None
    assert swap_direction("Exercise increases insulin sensitivity.") == "Exercise decreases insulin sensitivity."
    assert swap_direction("Nothing to reverse here.") is None


def test_folds_never_split_claims_that_share_an_abstract() -> None:
    def claim(i: int, docs: list[str], label: str = "SUPPORT") -> SciFactClaim:
        return SciFactClaim(str(i), f"claim {i}", {d: (Rationale((0,), label),) for d in docs[:1]}, tuple(docs))

    claims = [claim(i, [f"d{i // 2}"], ("SUPPORT", "CONTRADICT")[i % 2]) for i in range(20)]
    claims.append(claim(20, ["d0", "d9"]))  # bridges the groups of d0 and d9
    groups = claim_groups(claims)
    assert groups[0] == groups[1] == groups[20] == groups[18] == groups[19]
    for train, test in grouped_folds(claims, 4):
        assert not {groups[i] for i in train} & {groups[i] for i in test}
    assert fingerprint(claims[0]) != fingerprint(claim(0, ["d0"]).__class__("0", "other text", {}, ()))


SOURCE = [SourcePassages("s1", [
    Passage(0, "We randomised 300 adults to metformin or placebo for two years.", 0, 62),
    Passage(1, "Metformin lowered fasting glucose by 12% compared with placebo.", 63, 126),
], 1)]


def test_checks_only_confidence_is_the_calibrated_one() -> None:
    raw = verify_claim("Metformin lowered fasting glucose by 12% compared with placebo.", SOURCE,
                       VerifierModels(IndexCache(None, None)))
    flat = ConfidenceCalibrator({"supported": ((0.0, 1.0), (0.123, 0.123))})
    calibrated = verify_claim("Metformin lowered fasting glucose by 12% compared with placebo.", SOURCE,
                              VerifierModels(IndexCache(None, None), confidence=flat))
    assert raw.label == calibrated.label == "supported" and raw.confidence != pytest.approx(0.123)
    assert calibrated.confidence == pytest.approx(0.123)
    assert calibrated.probs[0] == pytest.approx(0.123) and sum(calibrated.probs) == pytest.approx(1.0)


def test_temperature_and_bias_calibration_is_applied_to_model_verdicts() -> None:
    biased = TemperatureCalibrator(temperature=1.0, bias=(0.0, 0.0, 5.0))
    probs = biased.apply(np.array([0.6, 0.1, 0.3]))[0]
    assert probs.argmax() == 2  # the bias moves mass to "not enough info"
    fitted = TemperatureCalibrator.fit(np.array([[0.9, 0.05, 0.05]] * 30 + [[0.05, 0.05, 0.9]] * 30),
                                       np.array([0] * 15 + [2] * 15 + [2] * 30))
    assert fitted.bias != (0.0, 0.0, 0.0) and fitted.ece_after <= fitted.ece_before


def test_the_on_disk_index_cache_is_read(tmp_path: Path) -> None:
    passages = SOURCE[0].passages
    folder = tmp_path / "s1"
    folder.mkdir()
    marked = np.full((len(passages), 4), 0.5, dtype=np.float32)
    np.save(folder / "embeddings.npy", marked)
    (folder / "meta.json").write_text(json.dumps(
        {"digest": passages_digest(passages), "model": "/no/such/model", "count": len(passages)}))
    # The embedder cannot load: only the cached vectors can give this index its embeddings.
    index = IndexCache(tmp_path, Embedder("/no/such/model")).get("s1", passages)
    assert np.array_equal(index.embeddings, marked)
