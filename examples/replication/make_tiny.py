"""Regenerate the tiny replication example: data/ (XTREME layout) and model/ (tokenizer + encoder).

    python examples/replication/make_tiny.py

Everything is built locally from a fixed seed (no downloads): synthetic English/German
data for XNLI, PAN-X, XQuAD, Tatoeba, BUCC and the MNLI / HellaSwag intermediate tasks,
a Unigram tokenizer trained on that text and a 2-layer, 32-wide XLM-R-shaped encoder.
`tiny.yaml` next to this script runs them with `claimtrace replicate --spec`.

The data and the model weights regenerate byte for byte; the tokenizer's Unigram
scores (and so a few pieces) can differ slightly between runs, because the
``tokenizers`` Unigram trainer is not deterministic.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from replication.tiny import build_tiny_model, write_tiny_data

HERE = Path(__file__).resolve().parent


def main() -> None:
    for name in ("data", "model"):
        shutil.rmtree(HERE / name, ignore_errors=True)
    corpus = write_tiny_data(HERE / "data", seed=0)
    build_tiny_model(HERE / "model", corpus, vocab_size=400, seed=0)
    print(f"wrote {HERE / 'data'} and {HERE / 'model'}")


if __name__ == "__main__":
    main()
