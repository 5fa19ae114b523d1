"""A small curated lexicon of the field's named entities: tasks, benchmarks, models, languages.

Each entry maps a canonical name to its surface forms. Matching is case-insensitive on word
boundaries, longest form first, so ``XTREME-R`` is never read as ``XTREME``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

TASKS: dict[str, tuple[str, ...]] = {
    "SQuAD": ("squad", "squad v1.1", "squad v2.0", "squad 2.0"),
    "MNLI": ("mnli", "multinli", "multi-nli"),
    "HellaSwag": ("hellaswag",),
    "CommonsenseQA": ("commonsenseqa", "commonsense qa", "csqa"),
    "Cosmos QA": ("cosmosqa", "cosmos qa"),
    "SocialIQA": ("socialiqa", "social iqa", "siqa"),
    "QQP": ("qqp", "quora question pairs"),
    "ANLI": ("anli", "adversarial nli"),
    "SST-2": ("sst-2", "sst2"),
    "CCG": ("ccg", "ccgbank", "ccg supertagging"),
    "RTE": ("rte",),
    "BoolQ": ("boolq",),
    "XNLI": ("xnli",),
    "PAWS-X": ("paws-x", "pawsx"),
    "POS": ("pos tagging", "part-of-speech tagging", "udpos", "ud-pos"),
    "NER": ("ner", "named entity recognition", "panx", "pan-x", "wikiann"),
    "XQuAD": ("xquad",),
    "MLQA": ("mlqa",),
    "TyDiQA": ("tydiqa", "tydi qa", "tydiqa-goldp", "tydi-qa"),
    "BUCC": ("bucc",),
    "Tatoeba": ("tatoeba",),
    "XCOPA": ("xcopa",),
    "LAReQA": ("lareqa",),
    "Mewsli-X": ("mewsli-x", "mewsli"),
    "WikiANN": (),
}

BENCHMARKS: dict[str, tuple[str, ...]] = {
    "XTREME-R": ("xtreme-r", "xtremer", "xtreme r"),
    "XTREME": ("xtreme",),
    "XGLUE": ("xglue",),
    "GLUE": ("glue",),
    "SuperGLUE": ("superglue", "super glue"),
}

MODELS: dict[str, tuple[str, ...]] = {
    "XLM-R Large": ("xlm-r large", "xlm-roberta large", "xlm-roberta-large", "xlmr large"),
    "XLM-R": ("xlm-r", "xlm-roberta", "xlmr"),
    "mBERT": ("mbert", "multilingual bert", "m-bert"),
    "BERT": ("bert",),
    "RoBERTa": ("roberta",),
    "mT5": ("mt5",),
    "XLM": ("xlm",),
    "GPT-3": ("gpt-3", "gpt3"),
}

LANGUAGES: dict[str, tuple[str, ...]] = {
    name: (name.lower(),)
    for name in (
        "English", "German", "French", "Spanish", "Chinese", "Japanese", "Korean", "Arabic",
        "Hindi", "Russian", "Turkish", "Vietnamese", "Thai", "Swahili", "Urdu", "Greek",
        "Bulgarian", "Bengali", "Finnish", "Indonesian", "Telugu", "Tamil", "Marathi",
        "Persian", "Hebrew", "Italian", "Portuguese", "Dutch", "Polish", "Estonian",
        "Basque", "Yoruba", "Malay", "Burmese", "Georgian", "Kazakh", "Javanese", "Tagalog",
        "Hungarian", "Afrikaans", "Malayalam", "Haitian", "Quechua",
    )
}

# A more specific entity names its family too: a text about "XLM-R Large" is about "XLM-R"
# (never the reverse: a claim about XLM-R Large is not backed by a passage naming XLM-R).
PARENTS: dict[str, str] = {"XLM-R Large": "XLM-R"}

KINDS: dict[str, dict[str, tuple[str, ...]]] = {
    "task": TASKS,
    "benchmark": BENCHMARKS,
    "model": MODELS,
    "language": LANGUAGES,
}


@dataclass(frozen=True, slots=True)
class EntityMatch:
    """One lexicon hit in a text: canonical ``name``, its ``kind`` and the matched span."""

    name: str
    kind: str
    text: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    forms: dict[str, tuple[str, str]] = {}
    for kind, table in KINDS.items():
        for canonical, aliases in table.items():
            for form in (canonical.lower(), *aliases):
                forms.setdefault(form, (canonical, kind))
    ordered = sorted(forms, key=len, reverse=True)
    alternation = "|".join(re.escape(form).replace(r"\ ", r"[\s-]+") for form in ordered)
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w]|-\w)", re.IGNORECASE), forms


def find_entities(text: str) -> list[EntityMatch]:
    """All lexicon entities in ``text``, left to right, non-overlapping (longest form wins)."""
    pattern, forms = _pattern()
    matches: list[EntityMatch] = []
    for hit in pattern.finditer(text):
        key = re.sub(r"[\s-]+", lambda m: "-" if "-" in m.group() else " ", hit.group().lower())
        canonical, kind = forms.get(key) or forms.get(hit.group().lower()) or _lookup(key, forms)
        matches.append(EntityMatch(canonical, kind, hit.group(), hit.start(), hit.end()))
    return matches


def with_families(names: frozenset[str] | set[str]) -> frozenset[str]:
    """``names`` plus the families (:data:`PARENTS`) they belong to."""
    out = set(names)
    for name in names:
        while name in PARENTS:
            name = PARENTS[name]
            out.add(name)
    return frozenset(out)


def _lookup(key: str, forms: dict[str, tuple[str, str]]) -> tuple[str, str]:
    squashed = re.sub(r"[\s-]+", "", key)
    for form, value in forms.items():
        if re.sub(r"[\s-]+", "", form) == squashed:
            return value
    raise KeyError(key)  # unreachable: the pattern only matches lexicon forms
