"""SQuAD v1.1 and MLQA exact match / F1, with the official answer normalisation.

Semantics follow the official scripts (SQuAD ``evaluate-v1.1.py`` as vendored
by XTREME for XQuAD and TyDiQA-GoldP; ``mlqa_evaluation_v1.py`` for MLQA):
lower-case, drop punctuation, drop the language's articles, re-join on
whitespace (MLQA: Chinese is segmented per CJK character and punctuation);
a question without a prediction scores 0; EM and F1 take the max over the
gold answers; results are percentages.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

_ASCII_PUNCT = frozenset(string.punctuation)
_EN_ARTICLES = re.compile(r"\b(a|an|the)\b")

_MLQA_ARTICLES: dict[str, re.Pattern[str] | None] = {
    "en": _EN_ARTICLES,
    "es": re.compile(r"\b(un|una|unos|unas|el|la|los|las)\b"),
    "hi": None,
    "vi": re.compile(r"\b(của|là|cái|chiếc|những)\b"),
    "de": re.compile(r"\b(ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des)\b"),
    # The official pattern: the first alternative can never match, so every "ال" goes.
    "ar": re.compile("\\sال^|ال"),
    "zh": None,
}
_MLQA_WHITESPACE_LANGS = frozenset({"en", "es", "hi", "vi", "de", "ar"})
_MLQA_MIXED_SEGMENTATION_LANGS = frozenset({"zh"})
MLQA_LANGUAGES = tuple(sorted(_MLQA_ARTICLES))
_CJK = re.compile(r"[\u4e00-\u9fa5]")


@lru_cache(maxsize=4096)
def is_unicode_punctuation(ch: str) -> bool:
    """MLQA's punctuation: any Unicode ``P*`` category character or ASCII punctuation."""
    return ch in _ASCII_PUNCT or unicodedata.category(ch).startswith("P")


def normalize_squad_answer(text: str) -> str:
    """SQuAD v1.1 normalisation (English articles, ASCII punctuation)."""
    text = "".join(ch for ch in text.lower() if ch not in _ASCII_PUNCT)
    return " ".join(_EN_ARTICLES.sub(" ", text).split())


def _mixed_segmentation(text: str) -> list[str]:
    tokens: list[str] = []
    pending = ""
    for ch in text:
        if _CJK.match(ch) or is_unicode_punctuation(ch):
            if pending:
                tokens.extend(pending.split())
                pending = ""
            tokens.append(ch)
        else:
            pending += ch
    if pending:
        tokens.extend(pending.split())
    return tokens


def normalize_mlqa_answer(text: str, lang: str) -> str:
    """MLQA normalisation for answer language ``lang`` (en, es, hi, vi, de, ar, zh)."""
    if lang not in _MLQA_ARTICLES:
        raise ValueError(f"MLQA normalisation has no rules for language {lang!r}")
    text = "".join(ch for ch in text.lower() if not is_unicode_punctuation(ch))
    articles = _MLQA_ARTICLES[lang]
    if articles is not None:
        text = articles.sub(" ", text)
    if lang in _MLQA_MIXED_SEGMENTATION_LANGS:
        tokens = _mixed_segmentation(text)
    else:
        tokens = text.split()
    return " ".join(t for t in tokens if t.strip())


def _token_f1(prediction: str, gold: str) -> float:
    pred_tokens, gold_tokens = prediction.split(), gold.split()
    common = Counter(pred_tokens) & Counter(gold_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision = same / len(pred_tokens)
    recall = same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def _em_f1(
    questions: Iterable[tuple[str, list[str]]],
    predictions: Mapping[str, str],
    normalize: Callable[[str], str],
) -> dict[str, float]:
    total = 0
    em = f1 = 0.0
    for qid, golds in questions:
        total += 1
        if qid not in predictions:
            continue
        normed = [normalize(g) for g in golds]
        if not normed:  # no gold answer: nothing can match
            continue
        pred = normalize(predictions[qid])
        em += max(float(pred == g) for g in normed)
        f1 += max(_token_f1(pred, g) for g in normed)
    if total == 0:
        return {"exact_match": 0.0, "f1": 0.0}
    return {"exact_match": 100.0 * em / total, "f1": 100.0 * f1 / total}


def iter_squad_questions(articles: Iterable[Mapping[str, Any]]) -> Iterable[tuple[str, list[str]]]:
    """(question id, gold answer texts) from SQuAD-format ``data`` articles."""
    for article in articles:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                yield qa["id"], [a["text"] for a in qa["answers"]]


def squad_em_f1(
    articles: Iterable[Mapping[str, Any]], predictions: Mapping[str, str]
) -> dict[str, float]:
    """SQuAD v1.1 EM/F1 (percent) of ``predictions`` (question id → answer)."""
    return _em_f1(iter_squad_questions(articles), predictions, normalize_squad_answer)


def mlqa_em_f1(
    articles: Iterable[Mapping[str, Any]], predictions: Mapping[str, str], lang: str
) -> dict[str, float]:
    """MLQA EM/F1 (percent) with the normalisation of answer language ``lang``."""
    if lang not in _MLQA_ARTICLES:
        raise ValueError(f"MLQA normalisation has no rules for language {lang!r}")
    return _em_f1(
        iter_squad_questions(articles), predictions, lambda s: normalize_mlqa_answer(s, lang)
    )
