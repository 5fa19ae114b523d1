"""The stance head: fitted through `claimtrace verifier train-head` (grouped CV, manifest, out-of-
fold calibration), loaded from its folder or the data dir only when it beat checks-only, and
gated by the checks on abstract-style passages written for these tests: it decides what the
checks leave open and never contradicts another comparison, an off-subject passage or a claim
whose entities the evidence does not mention."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from verifier.correctness import CORRECTNESS_FILE, confidence_features
from verifier.manifest import default_head_dir
from verifier.passages import Passage
from verifier.pipeline import SourcePassages, VerifierModels, verify_claim
from verifier.retrieval import IndexCache
from verifier.stance_head import FEATURES, HEAD_FILE, StanceHead

CLAIMTRACE = str(Path(sys.executable).parent / "claimtrace")
ADAPTERS = [
    "We compare bottleneck adapters with full fine-tuning of XLM-R on nine cross-lingual tasks.",
    "Adapters lift XNLI accuracy by 1.2 points relative to full fine-tuning while training 3% of the "
    "parameters.",
    "Adapter tuning performs best across the XTREME benchmark, raising the average score by 5.4 points "
    "over mBERT.",
    "Training cost drops sharply because the frozen encoder is shared between languages.",
]
STATINS = [
    "Background: the role of lipid-lowering therapy after a first stroke is unclear.",
    "We followed 4,731 patients for a median of 4.9 years after randomisation to atorvastatin or placebo.",
    "Fewer strokes occurred among those on atorvastatin, and major coronary events were also less frequent.",
    "Liver enzyme elevations were uncommon.",
]


def source(texts: list[str], key: str = "2301.00001v1") -> list[SourcePassages]:
    items, offset = [], 0
    for i, text in enumerate(texts):
        items.append(Passage(i, text, offset, offset + len(text)))
        offset += len(text) + 1
    return [SourcePassages(key, items, 1, key.split("v")[0], 1, True)]


def constant_head(label: int) -> StanceHead:
    """A head that always prefers ``label`` (0 supported, 1 contradicted, 2 not enough info)."""
    intercept = [0.0, 0.0, 0.0]
    intercept[label] = 4.0
    zeros = tuple(0.0 for _ in FEATURES)
    return StanceHead((zeros, zeros, zeros), tuple(intercept), zeros, tuple(1.0 for _ in FEATURES))


def with_head(head: StanceHead | None) -> VerifierModels:
    return VerifierModels(IndexCache(None, None), head=head)


PARAPHRASE = "Atorvastatin reduces the risk of recurrent strokes."


def test_the_head_decides_a_paraphrase_the_checks_leave_open() -> None:
    checks_only = verify_claim(PARAPHRASE, source(STATINS), with_head(None))
    assert checks_only.label == "not_enough_info"  # the abstract never states it in the claim's words
    verdict = verify_claim(PARAPHRASE, source(STATINS), with_head(constant_head(0)))
    assert verdict.label == "supported", verdict.explanation
    assert verdict.model_ids["stance"] == "head+checks" and verdict.model_ids["head"].startswith("stance-head/")
    assert any(e.stance == "supports" for e in verdict.evidence)


def test_the_head_cannot_support_what_the_evidence_does_not_back() -> None:
    claim = "Atorvastatin reduces the risk of recurrent strokes by 16%."  # the abstract gives no 16%
    verdict = verify_claim(claim, source(STATINS), with_head(constant_head(0)))
    assert verdict.label == "not_enough_info", verdict.explanation


@pytest.mark.parametrize("claim", [
    "Adapter tuning performs best, improving by 8.7 points.",  # 5.4 is another comparison
    "Adapters raise TyDiQA F1 over full fine-tuning.",  # no passage names TyDiQA
    "Prompt tuning halves the memory of speech recognisers.",  # another subject altogether
    "Adapters lift XNLI accuracy relative to full fine-tuning, whereas their latency on phones doubles.",
])
def test_the_head_never_contradicts_what_the_checks_call_neutral(claim: str) -> None:
    verdict = verify_claim(claim, source(ADAPTERS), with_head(constant_head(1)))
    assert verdict.label != "contradicted", verdict.explanation


def test_the_checks_keep_their_verdict_and_the_head_gives_its_confidence() -> None:
    claim = "Adapters lift XNLI accuracy by 1.2 points relative to full fine-tuning."
    doubting = verify_claim(claim, source(ADAPTERS), with_head(constant_head(2)))
    agreeing = verify_claim(claim, source(ADAPTERS), with_head(constant_head(0)))
    assert doubting.label == agreeing.label == "supported"  # the passage states it: the checks decide
    assert doubting.confidence < agreeing.confidence  # the head disagreeing lowers the confidence
    conflict = "Adapters lift XNLI accuracy by 3.1 points relative to full fine-tuning."
    assert verify_claim(conflict, source(ADAPTERS), with_head(constant_head(0))).label == "contradicted"


def test_a_head_fitted_on_other_features_is_refused(tmp_path: Path) -> None:
    head = StanceHead.fit(np.random.default_rng(0).normal(size=(30, len(FEATURES))), np.arange(30) % 3)
    head.save(tmp_path)
    assert np.allclose(StanceHead.load(tmp_path).predict(np.zeros(len(FEATURES))),
                       head.predict(np.zeros(len(FEATURES))))
    data = json.loads((tmp_path / HEAD_FILE).read_text())
    data["features"] = data["features"][:-1]
    (tmp_path / HEAD_FILE).write_text(json.dumps(data))
    with pytest.raises(ValueError, match="other features"):
        StanceHead.load(tmp_path)


# Through the CLI ---------------------------------------------------------------------------
TOPICS = [
    ("metformin", "fasting glucose", "lowered fasting glucose", "raises fasting glucose"),
    ("aspirin", "platelet aggregation", "inhibited platelet aggregation", "promotes platelet aggregation"),
    ("statins", "LDL cholesterol", "reduced LDL cholesterol", "increases LDL cholesterol"),
    ("lithium", "suicide attempts", "reduced suicide attempts", "increases suicide attempts"),
    ("warfarin", "embolic stroke", "prevented embolic stroke", "causes embolic stroke"),
    ("insulin", "blood sugar", "decreased blood sugar", "increases blood sugar"),
    ("heparin", "venous thrombosis", "reduced venous thrombosis", "promotes venous thrombosis"),
    ("digoxin", "heart rate", "slowed heart rate", "accelerates heart rate"),
    ("atenolol", "blood pressure", "lowered blood pressure", "raises blood pressure"),
    ("losartan", "proteinuria", "reduced proteinuria", "increases proteinuria"),
    ("codeine", "cough frequency", "reduced cough frequency", "increases cough frequency"),
    ("ibuprofen", "joint pain", "relieved joint pain", "worsens joint pain"),
]


def write_dataset(folder: Path) -> tuple[Path, Path]:
    """36 claims over 12 abstract-style texts: a supported, a contradicted, an unrelated claim each."""
    corpus, claims = [], []
    for i, (drug, outcome, finding, opposite) in enumerate(TOPICS):
        corpus.append({"doc_id": 500 + i, "title": f"A trial of {drug}", "abstract": [
            f"Whether {drug} helps adults in routine care has been debated.",
            f"We randomised {300 + i} adults to {drug} or placebo for one year.",
            f"Compared with placebo, {drug} {finding} in the treated group.",
            "Adverse events were mild and evenly distributed.",
            "Further work should examine longer follow-up."]})
        doc = str(500 + i)
        claims += [
            {"id": 3 * i, "claim": f"In adults, {drug} {finding.split()[0]} {outcome}.",
             "evidence": {doc: [{"sentences": [2], "label": "SUPPORT"}]}, "cited_doc_ids": [500 + i]},
            {"id": 3 * i + 1, "claim": f"{drug.capitalize()} {opposite} in adults.",
             "evidence": {doc: [{"sentences": [2], "label": "CONTRADICT"}]}, "cited_doc_ids": [500 + i]},
            {"id": 3 * i + 2, "claim": f"{drug.capitalize()} shortens hospital stays after knee surgery.",
             "evidence": {}, "cited_doc_ids": [500 + i]},
        ]
    (folder / "claims.jsonl").write_text("\n".join(json.dumps(c) for c in claims))
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps(d) for d in corpus))
    return folder / "claims.jsonl", folder / "corpus.jsonl"


def test_train_head_refuses_an_unknown_calibration(tmp_path: Path) -> None:
    claims, corpus = write_dataset(tmp_path)
    refused = run("verifier", "train-head", "--claims", str(claims), "--corpus", str(corpus),
                  "--calibration", "beta", data_dir=tmp_path / "data")
    assert refused.returncode != 0 and "--calibration must be stacked, logistic or isotonic" in refused.stderr
    assert not (tmp_path / "data" / "models").exists()


def run(*args: str, data_dir: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "CLAIMTRACE_EMBEDDING_MODEL": "none", "CLAIMTRACE_DATA_DIR": str(data_dir)}
    return subprocess.run([CLAIMTRACE, *args], capture_output=True, text=True, timeout=timeout, env=env)


def test_train_head_with_grouped_cv_writes_a_gated_model(tmp_path: Path) -> None:
    claims, corpus = write_dataset(tmp_path)
    data = tmp_path / "data"
    trained = run("verifier", "train-head", "--claims", str(claims), "--corpus", str(corpus), "--cv", "3",
                  "--json", data_dir=data)
    assert trained.returncode == 0, trained.stderr
    manifest = json.loads(trained.stdout)
    folder = default_head_dir(data)
    assert json.loads((folder / "manifest.json").read_text()) == {"kind": "claimtrace-stance-model", **manifest}
    assert (folder / HEAD_FILE).is_file() and (folder / CORRECTNESS_FILE).is_file()
    assert not (folder / "confidence.json").exists()  # one confidence model per head folder
    assert json.loads((folder / "cv" / "metrics.json").read_text()) == manifest["cv"]
    assert manifest["data"]["claims"] == 36 and len(manifest["claims"]["train"]) == 36
    assert manifest["features"] == list(FEATURES)
    cv = manifest["cv"]
    assert cv["folds"] == 3 and cv["grouped_by"] == "shared cited abstract"
    for path in ("learned", "checks_only"):
        assert cv[path]["n_claims"] == 36
    assert manifest["beats_checks_only"] == cv["beats_checks_only"]
    assert "fold 3/3" in trained.stderr and "checks-only on the same folds" in trained.stderr
    # Three shuffles of the folds by default: each one's figures, their spread, and a head that
    # beats checks-only only if it does on every shuffle.
    assert [r["seed"] for r in cv["repeats"]] == [13, 14, 15] and cv["seed"] == 13
    assert cv["repeats"][0]["learned"]["macro_f1"] == cv["learned"]["three_way"]["macro_f1"]
    assert cv["beats_checks_only"] == all(r["beats_checks_only"] for r in cv["repeats"])
    for side in ("learned", "checks_only"):
        f1s = [r[side]["macro_f1"] for r in cv["repeats"]]
        assert cv["spread"][side]["macro_f1"] == {"mean": pytest.approx(sum(f1s) / 3), "min": min(f1s),
                                                   "max": max(f1s)}
    assert "over 3 shuffles of the grouped folds (seeds 13, 14, 15)" in trained.stderr

    # The data dir's head is used by default exactly when its manifest says it beat checks-only.
    manifest["beats_checks_only"] = True
    (folder / "manifest.json").write_text(json.dumps({"kind": "claimtrace-stance-model", **manifest}))
    models = VerifierModels.load(embedding_model=None, data_dir=data)
    assert models.head is not None and models.correctness is not None and models.nli is None
    assert models.confidence is None and models.model_ids()["stance"] == "head+checks"
    assert models.model_ids()["calibration"].startswith("stacked-correctness")
    assert models.correctness.n == 36 and "inner grouped folds" in manifest["calibration"]
    stored = json.loads(claims.read_text().splitlines()[0])
    text = json.loads(corpus.read_text().splitlines()[0])["abstract"]
    calibrated = verify_claim(stored["claim"], source(text), models)
    correctness = models.correctness
    models.correctness = None
    raw = verify_claim(stored["claim"], source(text), models)
    assert calibrated.label == raw.label and calibrated.confidence != raw.confidence  # the model applied
    features = confidence_features(raw.label, raw.probs, raw.confidence, raw.sources)
    assert calibrated.confidence == pytest.approx(correctness.probability(features))
    assert abs(calibrated.probs[["supported", "contradicted", "not_enough_info"].index(calibrated.label)]
               - calibrated.confidence) < 1e-9
    manifest["beats_checks_only"] = False
    (folder / "manifest.json").write_text(json.dumps({"kind": "claimtrace-stance-model", **manifest}))
    assert VerifierModels.load(embedding_model=None, data_dir=data).head is None

    # Every claim trained the head: eval-verifier refuses to score it, or says it is in-sample.
    refused = run("eval-verifier", "--claims", str(claims), "--corpus", str(corpus), "--nli-model", str(folder),
                  data_dir=data)
    assert refused.returncode != 0 and "all 36 claims were used to train" in refused.stderr
    in_sample = run("eval-verifier", "--claims", str(claims), "--corpus", str(corpus), "--json",
                    "--nli-model", str(folder), "--include-seen", data_dir=data)
    flagged = json.loads(in_sample.stdout)
    assert flagged["in_sample"] is True and flagged["model_ids"]["stance"] == "head+checks"
