"""Direction contrast: does a passage match the claim better than the claim's opposite?

Sentence embeddings place "X increases Y" and "X decreases Y" close together, so similarity to
the claim alone cannot tell support from contradiction. Comparing the best similarity of the
source's passages to the claim with their best similarity to the claim *flipped* (direction
words swapped for their opposites, from ``direction_opposites`` in ``verifier/data/lexicon.yaml``;
without one, the claim negated or its negation removed) gives a signed signal: positive when the
source reads like the claim, negative when it reads like its opposite. The stance head uses it
as a feature.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from verifier.lexicon import LEXICON_DATA, LEXICON_FILE

_NEGATION = re.compile(r"\b(?:not|never)\b\s*|\bno\s+(?=\w)", re.IGNORECASE)
_AUXILIARY = re.compile(r"\b(is|are|was|were|does|do|did|can|may|might|could|will|has|have|had)\b",
                        re.IGNORECASE)


@lru_cache(maxsize=1)
def _opposites() -> tuple[re.Pattern[str], dict[str, str]]:
    table: dict[str, str] = {}
    for pair in LEXICON_DATA.get("direction_opposites") or ():
        if len(pair) != 2:
            raise ValueError(f"{LEXICON_FILE}: direction_opposites needs pairs, got {pair!r}")
        a, b = (str(w).lower() for w in pair)
        table.setdefault(a, b)
        table.setdefault(b, a)
    words = sorted(table, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE), table


def _keep_case(word: str, replacement: str) -> str:
    return replacement.capitalize() if word[:1].isupper() else replacement


def flipped_claim(text: str) -> str:
    """``text`` with its direction reversed: every direction word swapped for its opposite;
    without one, its first negation removed, or a "not" put after its first auxiliary verb
    (unchanged when none of these applies)."""
    pattern, table = _opposites()
    if pattern.search(text):
        return pattern.sub(lambda m: _keep_case(m.group(0), table[m.group(0).lower()]), text)
    if _NEGATION.search(text):
        return _NEGATION.sub("", text, count=1)
    return _AUXILIARY.sub(lambda m: f"{m.group(0)} not", text, count=1)


def direction_contrast(embeddings: np.ndarray | None, claim_vector: np.ndarray | None,
                       flipped_vector: np.ndarray | None) -> float:
    """Best cosine of the passages to the claim minus their best cosine to the flipped claim
    (0 without embeddings)."""
    if embeddings is None or claim_vector is None or flipped_vector is None or not len(embeddings):
        return 0.0
    return float(np.max(embeddings @ claim_vector) - np.max(embeddings @ flipped_vector))
