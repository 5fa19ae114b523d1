"""A curated lexicon of the field's named entities (tasks, benchmarks, models, metrics, languages)
and of the words that give a clause its direction (``direction_words``).

The entries and the entity families are data (``verifier/data/lexicon.yaml``): each maps a
canonical name to its surface forms. Matching is case-insensitive on word boundaries, longest
form first, so ``XTREME-R`` is never read as ``XTREME``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

LEXICON_FILE = Path(__file__).resolve().parent / "data" / "lexicon.yaml"
# Kinds of entity a claim must share with its evidence (metrics only frame quantities).
NAMED_KINDS = frozenset({"task", "benchmark", "model", "language"})


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's: about 5x faster


def read_lexicon_file(path: Path = LEXICON_FILE) -> dict:
    """The lexicon file's YAML, parsed (every part of the verifier reads it: parse it once)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}


def load_lexicon(path: Path = LEXICON_FILE, data: dict | None = None
                 ) -> tuple[dict[str, dict[str, tuple[str, ...]]], dict[str, str]]:
    """(kind -> canonical -> surface forms, entity -> family) from the lexicon file (``data``:
    its YAML, already parsed)."""
    data = read_lexicon_file(path) if data is None else data
    kinds: dict[str, dict[str, tuple[str, ...]]] = {}
    for plural, kind in (("tasks", "task"), ("benchmarks", "benchmark"), ("models", "model"),
                         ("metrics", "metric"), ("languages", "language")):
        table = data.get(plural) or {}
        if isinstance(table, list):  # languages: names only
            table = {name: [] for name in table}
        kinds[kind] = {str(name): tuple(str(f).lower() for f in (forms or ())) for name, forms in table.items()}
    families = {str(k): str(v) for k, v in (data.get("families") or {}).items()}
    known = {name for table in kinds.values() for name in table}
    unknown = sorted(({*families, *families.values()}) - known)
    if unknown:
        raise ValueError(f"{path}: families name entities not in the lexicon: {', '.join(unknown)}")
    return kinds, families


_DIRECTION_WORD = re.compile(r"[a-z]+\*?")


def load_direction_words(path: Path = LEXICON_FILE, data: dict | None = None) -> dict[str, tuple[str, ...]]:
    """``up`` and ``down``: the words (``*`` ending a prefix) that give a clause its direction."""
    data = (read_lexicon_file(path) if data is None else data).get("direction_words") or {}
    words = {side: tuple(str(w).lower() for w in data.get(side) or ()) for side in ("up", "down")}
    for side, listed in words.items():
        bad = [w for w in listed if not _DIRECTION_WORD.fullmatch(w)]
        if not listed or bad:
            raise ValueError(f"{path}: direction_words.{side} needs words of letters, a `*` ending a prefix; "
                             f"got {', '.join(bad) or 'none'}")
    both = sorted(set(words["up"]) & set(words["down"]))
    if both:
        raise ValueError(f"{path}: direction_words lists {', '.join(both)} both up and down")
    return words


def direction_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """One case-insensitive regex matching any of ``words`` as a whole word (``x*``: a word starting with x)."""
    forms = sorted((re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) for w in words),
                   key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(forms) + r")\b", re.IGNORECASE)


LEXICON_DATA = read_lexicon_file()  # the entities, the direction words, and verifier.contrast's opposites
KINDS, PARENTS = load_lexicon(data=LEXICON_DATA)
DIRECTION_WORDS = load_direction_words(data=LEXICON_DATA)
TASKS, BENCHMARKS, MODELS = KINDS["task"], KINDS["benchmark"], KINDS["model"]
METRICS, LANGUAGES = KINDS["metric"], KINDS["language"]


@dataclass(frozen=True, slots=True)
class EntityMatch:
    """One lexicon hit in a text: canonical ``name``, its ``kind`` and the matched span."""

    name: str
    kind: str
    text: str
    start: int
    end: int


_WORD_RUN = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class _Matcher:
    """The lexicon as one regex (longest form first), its forms, and the first word of each form."""

    pattern: re.Pattern[str]
    forms: dict[str, tuple[str, str]]
    first_words: frozenset[str] | None  # None: some form starts with punctuation (scan everywhere)


@lru_cache(maxsize=1)
def _matcher() -> _Matcher:
    forms: dict[str, tuple[str, str]] = {}
    for kind, table in KINDS.items():
        for canonical, aliases in table.items():
            for form in (canonical.lower(), *aliases):
                forms.setdefault(form, (canonical, kind))
    ordered = sorted(forms, key=len, reverse=True)
    alternation = "|".join(re.escape(form).replace(r"\ ", r"[\s-]+") for form in ordered)
    pattern = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w]|-\w)", re.IGNORECASE)
    firsts = [_WORD_RUN.match(form) for form in forms]
    first_words = None if not all(firsts) else frozenset(m.group() for m in firsts if m)
    return _Matcher(pattern, forms, first_words)


def _hits(text: str, matcher: _Matcher) -> Iterator[re.Match[str]]:
    """The pattern's matches, tried only where a word that starts some form starts: a match
    begins a word (the pattern's look-behind) that is a form's whole first word (its look-ahead),
    so this finds what ``finditer`` finds, four times faster on a report's text."""
    if matcher.first_words is None:
        yield from matcher.pattern.finditer(text)
        return
    end = 0
    for word in _WORD_RUN.finditer(text):
        if word.start() >= end and word.group().lower() in matcher.first_words:
            hit = matcher.pattern.match(text, word.start())
            if hit is not None:
                end = hit.end()
                yield hit


def find_entities(text: str) -> list[EntityMatch]:
    """All lexicon entities in ``text``, left to right, non-overlapping (longest form wins)."""
    matcher = _matcher()
    forms = matcher.forms
    matches: list[EntityMatch] = []
    for hit in _hits(text, matcher):
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
