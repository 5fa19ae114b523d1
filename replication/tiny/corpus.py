"""A synthetic multilingual pre-training corpus that shares no sentence with evaluation data.

Sentences come from the same English/German lexicon as the tiny tasks, drawn with their
own random stream: monolingual sentences in both languages, entity sentences (names,
cities, organisations) and translation pairs written side by side (as
XLM's translation language modelling), so that masked-LM pre-training can tie the two
languages together. Every sentence that occurs anywhere in the data root (train, dev or
test of any task) is removed, so pre-training never sees an evaluation set.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from replication.tiny.assets import _CITIES, _ORGS, _PERSONS, _say, _sentence


def data_sentences(root: str | Path) -> set[str]:
    """Every sentence-like string in the files of a data root (lines, TSV fields, JSON strings)."""
    import json

    found: set[str] = set()
    for path in Path(root).rglob("*"):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix in {".json", ".jsonl"}:
            values = [json.loads(line) for line in text.splitlines() if line.strip()] if path.suffix == ".jsonl" else [json.loads(text)]
            found.update(part for value in _json_strings(values) for part in value.split(". "))
            continue
        if path.parent.name in {"panx", "udpos"}:  # token-per-line: a sentence per block
            for block in text.split("\n\n"):
                found.add(" ".join(line.split("\t")[0] for line in block.splitlines() if line.strip()))
            continue
        for line in text.splitlines():
            found.update(field for field in line.split("\t") if " " in field.strip())
    return {_norm(s) for s in found}


def _norm(sentence: str) -> str:
    return sentence.strip().strip(".").strip().lower()


def _json_strings(values: Iterable[object]) -> Iterable[str]:
    for value in values:
        if isinstance(value, str):
            yield value.strip()
        elif isinstance(value, dict):
            yield from _json_strings(value.values())
        elif isinstance(value, list):
            yield from _json_strings(value)


def pretraining_corpus(exclude: set[str], *, n: int = 6000, seed: int = 1234) -> list[str]:
    """``n`` training lines, none of whose sentences is in ``exclude`` (from `data_sentences`)."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        words = _sentence(rng)
        en, de = _say(words, "en"), _say(words, "de")
        kind = rng.random()
        if kind < 0.4:  # monolingual, both languages
            lines = [en, de]
        elif kind < 0.75:  # a translation pair side by side
            lines = [f"{en} </s> {de}" if rng.random() < 0.5 else f"{de} </s> {en}"]
        else:  # an entity before, inside or after a sentence
            entity = rng.choice([rng.choice(_PERSONS), rng.choice(_CITIES), rng.choice(_ORGS)])
            tokens = (en if rng.random() < 0.5 else de).split()
            at = rng.choice([0, 3, len(tokens)])
            lines = [" ".join(tokens[:at] + [entity] + tokens[at:])]
        if any(_norm(text) in exclude for text in (en, de, *lines)):
            continue
        out.extend(lines)
    return out[:n]
