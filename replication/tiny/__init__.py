"""Tiny, locally built assets for tests and the synthetic demonstration (no downloads).

* `assets`: synthetic English/German data in the real XTREME / intermediate-task layouts,
  a Unigram tokenizer and a small XLM-R-shaped encoder;
* `corpus`: a multilingual pre-training corpus that excludes every evaluation sentence;
* `pretrain`: masked-language-model pre-training of the tiny encoder on that corpus.
"""

from replication.tiny.assets import build_tiny_model, tiny_config, train_tokenizer, write_tiny_data
from replication.tiny.corpus import pretraining_corpus
from replication.tiny.pretrain import PretrainReport, build_pretrained_model

__all__ = [
    "PretrainReport",
    "build_pretrained_model",
    "build_tiny_model",
    "pretraining_corpus",
    "tiny_config",
    "train_tokenizer",
    "write_tiny_data",
]
