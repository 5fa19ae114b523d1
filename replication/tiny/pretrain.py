"""Masked-language-model pre-training of the tiny encoder, so that the demo starts from an
encoder that knows its languages (as XLM-R does), not from random weights."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import DataCollatorForLanguageModeling, XLMRobertaForMaskedLM

from replication.tiny.assets import tiny_config, train_tokenizer


@dataclass
class PretrainReport:
    steps: int
    first_loss: float
    last_loss: float
    corpus_lines: int


def build_pretrained_model(out_dir: str | Path, corpus: list[str], *, vocab_size: int = 400, hidden: int = 64,
                           layers: int = 2, heads: int = 4, steps: int = 1500, batch_size: int = 64,
                           learning_rate: float = 1e-3, seed: int = 0) -> PretrainReport:
    """Train the tokenizer on ``corpus`` only, pre-train an XLM-R-shaped encoder with masked
    LM (15 % of tokens, BERT's 80/10/10 replacement) on it, save encoder and tokenizer.

    Losses in the report are means over the first and last tenth of the steps.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = train_tokenizer(corpus, vocab_size=vocab_size)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = XLMRobertaForMaskedLM(tiny_config(len(tokenizer), hidden=hidden, layers=layers, heads=heads))
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15)
    encoded = [tokenizer(line, truncation=True, max_length=64)["input_ids"] for line in corpus]
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.01)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / (steps // 10 + 1)) * max(0.0, 1 - step / steps)
    )
    losses: list[float] = []
    model.train()
    for _ in range(steps):
        batch = collator([{"input_ids": ids} for ids in rng.sample(encoded, batch_size)])
        loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
    window = max(1, steps // 10)
    model.roberta.save_pretrained(out)  # the encoder; task heads are added by the pipeline
    tokenizer.save_pretrained(out)
    return PretrainReport(steps, sum(losses[:window]) / window, sum(losses[-window:]) / window, len(corpus))
