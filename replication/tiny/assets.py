"""Tiny XLM-R-shaped encoder, tokenizer and XTREME-layout data, built locally (no downloads).

The tokenizer is a SentencePiece-style Unigram model trained with the ``tokenizers``
library on the given text, with XLM-R's special tokens and pair template
(``<s> A </s></s> B </s>``); the model is an ``XLMRobertaModel`` initialised from a
small config. Both are saved with ``save_pretrained`` so that ``AutoTokenizer`` /
``AutoModel`` load them like a hub checkpoint.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterable
from pathlib import Path

import torch
from tokenizers import (
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,
    trainers,
)
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


# ---- tiny data in the real XTREME / intermediate formats ------------------------------

# A word-for-word lexicon: (English, German). Sentences are "translated" word by word.
_LEXICON = {
    "det": [("the", "der"), ("a", "ein"), ("this", "dieser"), ("every", "jeder")],
    "adj": [("red", "rote"), ("big", "große"), ("small", "kleine"), ("old", "alte"), ("green", "grüne"),
            ("happy", "frohe"), ("dark", "dunkle"), ("quick", "schnelle")],
    "noun": [("dog", "Hund"), ("cat", "Katze"), ("house", "Haus"), ("tree", "Baum"), ("car", "Auto"),
             ("bird", "Vogel"), ("book", "Buch"), ("river", "Fluss"), ("horse", "Pferd"), ("table", "Tisch")],
    "verb": [("sees", "sieht"), ("likes", "mag"), ("finds", "findet"), ("hears", "hört"), ("follows", "folgt"),
             ("paints", "malt")],
}
_PERSONS = ["Anna Berg", "Tom Miller", "Lena", "Paul Weber", "Maria", "Jonas Koch", "Sara Lind", "Omar"]
_CITIES = ["Berlin", "Paris", "Madrid", "Oslo", "Vienna", "Lisbon", "Prague", "Dublin"]
_ORGS = ["Acme Corp", "Globex", "Initech", "Umbrella Labs", "Vandelay"]
_LIVES = {"en": ("lives in", "Where does {p} live?"), "de": ("wohnt in", "Wo wohnt {p}?")}
_LANG_COL = {"en": 0, "de": 1}


def _sentence(rng: random.Random) -> list[tuple[str, str]]:
    det, adj, noun, verb = (rng.choice(_LEXICON[k]) for k in ("det", "adj", "noun", "verb"))
    det2, adj2, noun2 = (rng.choice(_LEXICON[k]) for k in ("det", "adj", "noun"))
    return [det, adj, noun, verb, det2, adj2, noun2]


def _say(words: list[tuple[str, str]], lang: str) -> str:
    return " ".join(w[_LANG_COL[lang]] for w in words)


def _nli(rng: random.Random, lang: str) -> tuple[str, str, str]:
    """entailment: the premise minus its adjectives; contradiction: a noun swapped; neutral: unrelated."""
    words = _sentence(rng)
    label = rng.choice(["entailment", "contradiction", "neutral"])
    if label == "entailment":
        hyp = [w for i, w in enumerate(words) if i not in (1, 5)]
    elif label == "contradiction":
        other = rng.choice([n for n in _LEXICON["noun"] if n != words[2]])
        hyp = [words[0], words[1], other, *words[3:]]
    else:
        hyp = _sentence(rng)
    return _say(words, lang), _say(hyp, lang), label


def _ner(rng: random.Random, lang: str) -> list[tuple[str, str]]:
    words = _sentence(rng)
    tokens = [(w[_LANG_COL[lang]], "O") for w in words]
    entity, tag = rng.choice([(rng.choice(_PERSONS), "PER"), (rng.choice(_CITIES), "LOC"), (rng.choice(_ORGS), "ORG")])
    ent = [(part, ("B-" if i == 0 else "I-") + tag) for i, part in enumerate(entity.split())]
    at = rng.choice([0, 3, len(tokens)])
    return tokens[:at] + ent + tokens[at:]


def _qa(rng: random.Random, lang: str, qid: str) -> dict:
    person, city = rng.choice(_PERSONS), rng.choice(_CITIES)
    filler = _say(_sentence(rng), lang).capitalize() + "."
    fact = f"{person} {_LIVES[lang][0]} {city}."
    context = f"{filler} {fact}" if rng.random() < 0.5 else f"{fact} {filler}"
    start = context.index(fact) + len(person) + len(_LIVES[lang][0]) + 2
    return {
        "context": context,
        "qas": [{"id": qid, "question": _LIVES[lang][1].format(p=person),
                 "answers": [{"text": city, "answer_start": start}]}],
    }


def _squad_file(path: Path, rng: random.Random, lang: str, n: int, prefix: str) -> None:
    paragraphs = [_qa(rng, lang, f"{prefix}-{i}") for i in range(n)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": "1.1", "data": [{"title": prefix, "paragraphs": paragraphs}]},
                               ensure_ascii=False), encoding="utf-8")


def _write_tsv(path: Path, rows: list[list[str]], header: list[str] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        if header:  # GLUE files: plain tab-joined, no quoting
            fh.write("\t".join(header) + "\n")
            fh.writelines("\t".join(r) + "\n" for r in rows)
        else:  # XTREME files: csv.writer with tabs
            csv.writer(fh, delimiter="\t", lineterminator="\n").writerows(rows)


def _write_tagging(path: Path, sentences: list[list[tuple[str, str]]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join("".join(f"{t}\t{g}\n" for t, g in s) + "\n" for s in sentences), encoding="utf-8")


def write_tiny_data(root: str | Path, *, n_train: int = 240, n_eval: int = 40, seed: int = 0,
                    langs: tuple[str, ...] = ("en", "de")) -> list[str]:
    """Write a tiny XTREME-layout data root (XNLI, PAN-X, XQuAD, Tatoeba, BUCC targets;
    MNLI and HellaSwag intermediates) and return all its sentences (tokenizer corpus)."""
    root = Path(root)
    rng = random.Random(seed)
    corpus: list[str] = []

    def nli_rows(n: int, lang: str) -> list[list[str]]:
        rows = [list(_nli(rng, lang)) for _ in range(n)]
        corpus.extend(r[0] for r in rows)
        return rows

    _write_tsv(root / "xnli/train-en.tsv", nli_rows(n_train, "en"))
    _write_tsv(root / "xnli/dev-en.tsv", nli_rows(n_eval, "en"))
    for lang in langs:
        _write_tsv(root / f"xnli/test-{lang}.tsv", nli_rows(n_eval, lang))

    def ner(n: int, lang: str) -> list[list[tuple[str, str]]]:
        sents = [_ner(rng, lang) for _ in range(n)]
        corpus.extend(" ".join(t for t, _ in s) for s in sents)
        return sents

    _write_tagging(root / "panx/train-en.tsv", ner(n_train, "en"))
    _write_tagging(root / "panx/dev-en.tsv", ner(n_eval, "en"))
    for lang in langs:
        _write_tagging(root / f"panx/test-{lang}.tsv", ner(n_eval, lang))

    _squad_file(root / "squad/train-v1.1.json", rng, "en", n_train, "train")
    _squad_file(root / "squad/dev-v1.1.json", rng, "en", n_eval, "dev")
    for lang in langs:
        _squad_file(root / f"xquad/xquad.{lang}.json", rng, lang, n_eval, f"xquad-{lang}")
    for path in root.glob("**/*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        corpus.extend(p["context"] + " " + p["qas"][0]["question"] for a in data["data"] for p in a["paragraphs"])

    for lang in [lang for lang in langs if lang != "en"]:
        pairs = [_sentence(rng) for _ in range(n_eval)]
        (root / "tatoeba").mkdir(parents=True, exist_ok=True)
        (root / f"tatoeba/{lang}-en.{lang}").write_text("".join(_say(p, lang) + "\n" for p in pairs), encoding="utf-8")
        (root / f"tatoeba/{lang}-en.en").write_text("".join(_say(p, "en") + "\n" for p in pairs), encoding="utf-8")
        for split in ("dev", "test"):
            stem = root / f"bucc2018/{lang}-en.{split}"
            stem.parent.mkdir(parents=True, exist_ok=True)
            sents = [_sentence(rng) for _ in range(n_eval)]
            gold = [(f"{lang}-{split}-{i:05d}", f"en-{split}-{i:05d}") for i in range(0, n_eval, 2)]
            src = [(f"{lang}-{split}-{i:05d}", _say(s, lang)) for i, s in enumerate(sents)]
            tgt = [(f"en-{split}-{i:05d}", _say(s if i % 2 == 0 else _sentence(rng), "en")) for i, s in enumerate(sents)]
            for suffix, rows in ((lang, src), ("en", tgt)):
                stem.with_name(f"{stem.name}.{suffix}").write_text("".join(f"{a}\t{b}\n" for a, b in rows), encoding="utf-8")
            stem.with_name(f"{stem.name}.gold").write_text("".join(f"{a}\t{b}\n" for a, b in gold), encoding="utf-8")
            corpus.extend(s for _, s in src + tgt)

    header = ["index", "sentence1", "sentence2", "gold_label"]
    for name, n in (("train.tsv", n_train), ("dev_matched.tsv", n_eval)):
        _write_tsv(root / f"mnli/{name}", [[str(i), *r] for i, r in enumerate(nli_rows(n, "en"))], header)

    for name, n in (("train.jsonl", n_train), ("val.jsonl", n_eval)):
        lines = []
        for i in range(n):
            words = _sentence(rng)
            ctx = _say(words[:4], "en")
            right = _say(words[4:], "en")  # the true continuation; distractors repeat the context's noun
            wrong = [_say([rng.choice(_LEXICON["det"]), rng.choice(_LEXICON["adj"]), words[2]], "en") for _ in range(3)]
            label = rng.randrange(4)
            endings = wrong[:label] + [right] + wrong[label:]
            lines.append(json.dumps({"ind": i, "ctx": ctx, "endings": endings, "label": label}))
            corpus.append(ctx + " " + right)
        path = root / f"hellaswag/{name}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus
