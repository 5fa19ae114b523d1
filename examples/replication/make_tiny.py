"""Regenerate the synthetic demonstration: data/ (XTREME layout) and model/ (pre-trained encoder).

    python examples/replication/make_tiny.py

Everything is built locally from fixed seeds (no downloads):

1. synthetic English/German data for XNLI, PAN-X, XQuAD, Tatoeba, BUCC and the
   intermediate tasks (HellaSwag-style multiple choice, MNLI, SQuAD) in their real layouts;
2. a multilingual pre-training corpus from its own random stream, with every sentence that
   occurs in data/ removed, so neither the tokenizer nor the encoder sees an evaluation set;
3. a Unigram tokenizer trained on that corpus only, and a 2-layer, 64-wide XLM-R-shaped
   encoder pre-trained on it with masked LM.

`tiny.yaml` next to this script runs them with `claimtrace replicate --spec`. It is a
synthetic demonstration of the pipeline, not evidence about any paper.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from replication.tiny import build_pretrained_model, pretraining_corpus, write_tiny_data
from replication.tiny.corpus import data_sentences

HERE = Path(__file__).resolve().parent


def main() -> None:
    started = time.perf_counter()
    for name in ("data", "model"):
        shutil.rmtree(HERE / name, ignore_errors=True)
    write_tiny_data(HERE / "data", n_train=400, n_eval=100, seed=0)
    excluded = data_sentences(HERE / "data")
    corpus = pretraining_corpus(excluded, n=8000, seed=1234)
    print(f"wrote {HERE / 'data'}; pre-training corpus: {len(corpus)} lines, {len(excluded)} data sentences excluded")
    report = build_pretrained_model(HERE / "model", corpus, seed=0)
    print(f"pre-trained {HERE / 'model'}: {report.steps} MLM steps, loss {report.first_loss:.3f} → "
          f"{report.last_loss:.3f} ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
