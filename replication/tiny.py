"""A tiny XLM-R-shaped encoder and tokenizer built locally (no downloads), for tests and examples.

The tokenizer is a SentencePiece-style Unigram model trained with the ``tokenizers``
library on the given text, with XLM-R's special tokens and pair template
(``<s> A </s></s> B </s>``); the model is an ``XLMRobertaModel`` initialised from a
small config. Both are saved with ``save_pretrained`` so that ``AutoTokenizer`` /
``AutoModel`` load them like a hub checkpoint.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaModel

SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


def train_tokenizer(texts: Iterable[str], vocab_size: int = 600) -> PreTrainedTokenizerFast:
    """A Unigram tokenizer with Metaspace pre-tokenisation, as XLM-R's."""
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(
        vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS, unk_token="<unk>", shrinking_factor=0.75
    )
    tok.train_from_iterator(texts, trainer=trainer)
    bos, eos = tok.token_to_id("<s>"), tok.token_to_id("</s>")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        sep_token="</s>",
        cls_token="<s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
        model_max_length=512,
    )


def tiny_config(vocab_size: int, *, hidden: int = 32, layers: int = 2, heads: int = 2) -> XLMRobertaConfig:
    return XLMRobertaConfig(
        vocab_size=vocab_size,
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=hidden * 4,
        max_position_embeddings=514,
        type_vocab_size=1,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1,
    )


def build_tiny_model(
    out_dir: str | Path, texts: Iterable[str], *, vocab_size: int = 600, hidden: int = 32, layers: int = 2, seed: int = 0
) -> Path:
    """Train the tokenizer on ``texts``, initialise the encoder, save both to ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = train_tokenizer(texts, vocab_size=vocab_size)
    torch.manual_seed(seed)
    model = XLMRobertaModel(tiny_config(len(tokenizer), hidden=hidden, layers=layers), add_pooling_layer=False)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
