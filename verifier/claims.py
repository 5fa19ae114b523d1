"""Claim analysis: quantities, field entities, direction and negation, truncation and completion.

Everything here is deterministic text processing; the same analysis is applied to claims and to
evidence passages so the checks in :mod:`verifier.checks` compare like with like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from verifier.lexicon import (DIRECTION_WORDS, NAMED_KINDS, EntityMatch, direction_pattern, find_entities,
                              with_families)

NUMBER_WORDS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
}
# Nouns that make a number a count ("nine English intermediate tasks", "40 languages").
COUNT_NOUNS = frozenset(
    "tasks task languages language datasets dataset papers paper models model benchmarks "
    "benchmark layers layer epochs epoch seeds seed runs run examples samples sentences "
    "claims patients participants subjects people cases studies trials genes sites years "
    "year months weeks days hours families categories classes labels parameters steps "
    "settings phases stages".split()
)
UNIT_WORDS = frozenset(
    "points point pp percent percentage % x times fold mg g kg ml l mm cm m km s ms h "
    "years year months weeks days hours minutes bleu f1 em accuracy".split()
)
DELTA_CUES = re.compile(
    r"(improv\w*|gain\w*|increas\w*|decreas\w*|drop\w*|boost\w*|outperform\w*|by|"
    r"higher|lower|better|worse|delta|difference)\W*(?:\w+\W+){0,3}$",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"(?<![\w.])(?<![A-Za-z]-)(?P<sign>[+\-−±])?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?"
    r"(?P<pct>\s?%)?(?![\w.]*\d)"
    r"|(?<![\w-])(?P<word>" + "|".join(NUMBER_WORDS) + r")(?![\w-])",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*|%")

NEGATION = re.compile(
    r"\b(not|no|never|none|neither|nor|without|cannot|fail(?:s|ed)?\s+to|lack(?:s|ed)?|"
    r"does\s+not|do\s+not|did\s+not|is\s+not|are\s+not|was\s+not|were\s+not)\b|n't\b",
    re.IGNORECASE,
)
POSITIVE = direction_pattern(DIRECTION_WORDS["up"])  # the lexicon's `direction_words`
NEGATIVE = direction_pattern(DIRECTION_WORDS["down"])
# A negated clause with no direction of its own opposes a directional one only when it denies
# any effect ("has no effect on X" vs "improves X"), not when the negation is incidental
# ("tasks that have no training data" vs "large improvements on those tasks").
NULL_EFFECT = re.compile(
    r"\b(?:no|not\s+any|without\s+(?:any\s+)?)\s*(?:significant\s+|clear\s+|measurable\s+|noticeable\s+)?"
    r"(?:effect|impact|difference|change|influence|association|correlation|relationship|"
    r"link|role|advantage)s?\b"
    r"|\b(?:does|do|did)\s+not\s+(?:affect|change|matter|differ|influence|alter|predict)\b"
    r"|\b(?:is|are|was|were)\s+not\s+(?:significantly\s+)?(?:associated|correlated|linked|related|"
    r"different|affected|altered)\b"
    r"|\bnot\s+significantly\s+\w+\b|\bunaffected\b|\bunchanged\b|\bindependent\s+of\b",
    re.IGNORECASE,
)
# Words that introduce what a number is compared against ("5.4 points over XLM-R Large").
BASELINE_CUE = re.compile(
    r"\b(?:over|than|compared\s+(?:to|with)|relative\s+to|versus|vs\.?|against|above|below)\s+",
    re.IGNORECASE)
CLAUSE_SPLIT = re.compile(
    r";|,?\s+\b(?:whereas|while|but|although|though|however)\b|\.\s+", re.IGNORECASE
)
STOPWORDS = frozenset(
    "a an the of in on at to for from by with and or as is are was were be been being this that "
    "these those it its their our we they he she which who whom whose what when where how than "
    "then there here into onto over under also such can could may might will would shall should "
    "do does did has have had not no i ii iii iv v vi e g eg ie et al using use used via per "
    "each all any both more most some many much very".split()
)
_TERMINAL = re.compile(r"[.!?)\]\"'”’]\s*$")


@dataclass(frozen=True, slots=True)
class Frame:
    """What a number is about, from the clause it stands in: the named entities by kind
    (task, benchmark, model, language), the metrics, and what it is compared against."""

    entities: frozenset[tuple[str, str]] = frozenset()  # (kind, name), families included
    metrics: frozenset[str] = frozenset()
    baseline: frozenset[str] = frozenset()  # entity names, or content terms when none is named

    def kinds(self) -> set[str]:
        return {kind for kind, _ in self.entities}

    def names(self, kind: str) -> set[str]:
        return {name for k, name in self.entities if k == kind}

    def same_comparison(self, other: "Frame") -> bool:
        """The same metric of the same thing against the same baseline: every entity kind
        either frame names is named by both, with a name in common; different baselines or
        different metrics make different comparisons (a baseline left unstated, as in a
        truncated claim, is not a different one)."""
        for kind in self.kinds() | other.kinds():
            if not self.names(kind) & other.names(kind):
                return False
        if self.baseline and other.baseline and not self.baseline & other.baseline:
            return False
        return not (self.metrics and other.metrics and not self.metrics & other.metrics)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number in a text: its value, kind and unit, and the words around it.

    ``kind`` is ``delta`` (a change: "+6.1", "improving by 8.7 points"), ``percent``,
    ``count`` ("9 tasks"), ``year`` (ignored by the checks) or ``number``.
    """

    value: float
    text: str
    start: int
    end: int
    kind: str
    unit: str | None = None
    decimals: int = 0
    context: frozenset[str] = frozenset()
    frame: Frame = Frame()

    def same_value(self, other: "Quantity") -> bool:
        """``other`` (the evidence) states this value at this precision: 6.1 matches 6.10 and
        6.14, 5 matches 5.4 (a rounded claim), but 9.3 does not match 9 (more than was said)."""
        if self.decimals > other.decimals:
            return False
        return round(abs(other.value), self.decimals) == round(abs(self.value), self.decimals)

    def same_quantity(self, other: "Quantity") -> bool:
        """Two values of one quantity: comparable numbers in the same comparison (a gain of the
        same metric, on the same benchmark/task/language/model, over the same baseline)."""
        return self.comparable(other) and self.frame.same_comparison(other.frame)

    def comparable(self, other: "Quantity") -> bool:
        """Plausibly the same quantity: same kind, compatible unit, shared context words."""
        if "year" in {self.kind, other.kind}:
            return False
        if self.kind != other.kind and "number" not in {self.kind, other.kind}:
            return False
        if self.unit and other.unit and self.unit != other.unit:
            return False
        if self.unit and self.unit == other.unit and self.kind in {"count", "percent"}:
            return True
        return bool(self.context & other.context)


@dataclass(frozen=True, slots=True)
class Clause:
    """A clause of a text with its polarity: +1 positive, -1 negative/negated, 0 neutral."""

    text: str
    terms: frozenset[str]
    polarity: int
    direction: int = 0
    negated: bool = False
    null_effect: bool = False

    def opposes(self, other: "Clause") -> bool:
        """Opposite claims about the same thing: one negates what the other asserts
        ("prevents" / "does not prevent", "sees no benefit" / "benefits"), one denies any
        effect the other asserts ("has no effect" / "improves"), or they go in opposite
        directions. An incidental negation ("tasks that have no training data") opposes
        nothing directional."""
        if self.negated != other.negated:
            if self.direction == other.direction:
                return True
            if self.direction and other.direction:
                return False  # "does not help" / "hurts": compatible
            negated = self if self.negated else other
            return negated.null_effect and not negated.direction
        return self.direction * other.direction < 0


@dataclass(frozen=True, slots=True)
class ClaimAnalysis:
    """What the deterministic checks need to know about a claim (or a passage)."""

    text: str
    quantities: tuple[Quantity, ...]
    entities: tuple[EntityMatch, ...]
    terms: frozenset[str]
    clauses: tuple[Clause, ...]
    negated: bool
    polarity: int
    truncated: bool
    entity_names: frozenset[str] = field(default=frozenset())

    @property
    def checked_quantities(self) -> tuple[Quantity, ...]:
        """Quantities that must agree with the evidence (citation years are left out)."""
        return tuple(q for q in self.quantities if q.kind != "year")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light, deterministic stemmer (cached: a corpus repeats a small vocabulary): enough to match "improves"/"improvement"/"improving"."""
    word = word.lower().strip("'")
    for suffix in ("ements", "ement", "ations", "ation", "ings", "ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def content_terms(text: str) -> frozenset[str]:
    """Stemmed content words of ``text`` (stopwords and one-letter tokens dropped)."""
    words = set(_WORD.findall(text))  # each distinct word once: long texts repeat most of theirs
    words.update([part for w in words if "-" in w for part in w.split("-")])
    return frozenset(stem(w) for w in words if len(w) > 1 and w.lower() not in STOPWORDS)


def _direction(text: str) -> int:
    positive = len(POSITIVE.findall(text))
    negative = len(NEGATIVE.findall(text))
    return (positive > negative) - (negative > positive)


def _polarity(text: str) -> int:
    direction = _direction(text)
    if NEGATION.search(text):
        return -direction if direction else -1
    return direction


def _unit_after(text: str, end: int) -> tuple[str | None, bool]:
    """The unit or counted noun following a number: (unit, is_count)."""
    following = _WORD.findall(text[end : end + 60])
    if following and following[0].lower() in UNIT_WORDS:
        unit = following[0].lower()
        return ("points" if unit in {"point", "pp"} else unit), False
    for word in following[:4]:
        lowered = word.lower()
        if lowered in COUNT_NOUNS:
            return lowered if lowered.endswith("s") else lowered + "s", True
        if lowered in {"and", "or", "of", "to", "the"}:
            break
    return None, False


def _context(text: str, start: int, end: int) -> frozenset[str]:
    before = _WORD.findall(text[max(0, start - 40) : start])[-3:]
    after = _WORD.findall(text[end : end + 30])[:2]
    return content_terms(" ".join(before + after))


def extract_quantities(text: str) -> tuple[Quantity, ...]:
    """Numbers with units, deltas and counts (digits or number words) in ``text``."""
    found: list[Quantity] = []
    for hit in _NUMBER.finditer(text):
        if hit.group("word"):
            value, decimals, sign = float(NUMBER_WORDS[hit.group("word").lower()]), 0, ""
        else:
            digits = hit.group("num").replace(",", "")
            frac = hit.group("frac") or ""
            value, decimals = float(digits + frac), max(0, len(frac) - 1)
            sign = hit.group("sign") or ""
            if sign == "−":
                sign = "-"
            if sign in {"-", "±"} and hit.start() > 0 and text[hit.start() - 1].isalnum():
                sign = ""
            if sign == "-":
                value = -value
        unit, is_count = _unit_after(text, hit.end())
        if hit.group("pct"):
            unit = "%"
        prefix = text[max(0, hit.start() - 40) : hit.start()]
        if sign in {"+", "-"} or (DELTA_CUES.search(prefix) and not is_count):
            kind = "delta"
        elif unit == "%":
            kind = "percent"
        elif is_count:
            kind = "count"
        elif not hit.group("word") and not hit.group("frac") and 1900 <= value <= 2099:
            kind = "year"
        else:
            kind = "number"
        if hit.group("word") and kind == "number" and value <= 1:
            continue  # "one of the", "zero-shot": not a stated figure
        found.append(
            Quantity(
                value=value,
                text=hit.group(),
                start=hit.start(),
                end=hit.end(),
                kind=kind,
                unit=unit,
                decimals=decimals,
                context=_context(text, hit.start(), hit.end()),
            )
        )
    return tuple(_share_list_units(text, found))


def _share_list_units(text: str, quantities: list[Quantity]) -> list[Quantity]:
    """Numbers in a list ("8.2, 7.5, and 7.0 points") share the list's unit and kind."""
    groups: list[list[Quantity]] = []
    for quantity in quantities:
        if groups:
            gap = text[groups[-1][-1].end : quantity.start]
            if re.fullmatch(r"\s*(?:,\s*)?(?:and|or)?\s*,?\s*", gap):
                groups[-1].append(quantity)
                continue
        groups.append([quantity])
    result: list[Quantity] = []
    for group in groups:
        if len(group) == 1:
            result.extend(group)
            continue
        unit = next((q.unit for q in reversed(group) if q.unit), None)
        kind = min((q.kind for q in group), key=_KIND_RANK.index)
        context = frozenset().union(*(q.context for q in group))
        result.extend(
            Quantity(q.value, q.text, q.start, q.end, kind if q.kind != "year" else "year",
                     q.unit or unit, q.decimals, context)
            for q in group
        )
    return result


_KIND_RANK = ("delta", "percent", "count", "number", "year")


def is_truncated(text: str) -> bool:
    """A claim cut off mid-sentence: no terminal punctuation at the end."""
    stripped = text.strip()
    return bool(stripped) and not _TERMINAL.search(stripped)


@lru_cache(maxsize=4096)
def analyze(text: str) -> ClaimAnalysis:
    """Analyse a claim or passage text (cached: passages are analysed once per text)."""
    clauses = tuple(
        Clause(part.strip(), content_terms(part), _polarity(part), _direction(part),
               bool(NEGATION.search(part) or NULL_EFFECT.search(part)), bool(NULL_EFFECT.search(part)))
        for part in CLAUSE_SPLIT.split(text)
        if part and part.strip()
    )
    entities = tuple(find_entities(text))
    return ClaimAnalysis(
        text=text,
        quantities=_with_frames(text, extract_quantities(text), entities),
        entities=entities,
        terms=content_terms(text),
        clauses=clauses,
        negated=bool(NEGATION.search(text)),
        polarity=_polarity(text),
        truncated=is_truncated(text),
        entity_names=with_families({e.name for e in entities if e.kind in NAMED_KINDS}),
    )


@lru_cache(maxsize=8192)
def named_entities(text: str) -> frozenset[str]:
    """``analyze(text).entity_names`` without the rest of the analysis (for long texts, e.g. a
    whole report, whose quantities and frames nobody reads)."""
    return with_families({e.name for e in find_entities(text) if e.kind in NAMED_KINDS})


def _clause_bounds(text: str, position: int) -> tuple[int, int]:
    """Start and end of the clause of ``text`` around ``position``."""
    start, end = 0, len(text)
    for cut in CLAUSE_SPLIT.finditer(text):
        if cut.end() <= position:
            start = cut.end()
        elif cut.start() >= position:
            end = cut.start()
            break
    return start, end


def frame_of(text: str, start: int, end: int, entities: tuple[EntityMatch, ...], *,
             counted: bool = False) -> Frame:
    """The frame of the number at ``text[start:end]``: entities and metrics of its clause, and
    what follows the nearest comparison cue ("5.4 points over XLM-R Large", "than the
    baseline by 2 points") as its baseline (not for counts: "more than 40 languages")."""
    lo, hi = _clause_bounds(text, start)
    inside = [e for e in entities if lo <= e.start and e.end <= hi]
    cues = [] if counted else list(BASELINE_CUE.finditer(text, lo, hi))
    after = [m for m in cues if 0 <= m.start() - end <= 40]
    before = [m for m in cues if 0 <= start - m.end() <= 60]
    cue = after[0] if after else (before[-1] if before else None)
    baseline_entities: list[EntityMatch] = []
    baseline_terms: frozenset[str] = frozenset()
    if cue is not None:
        stop = min(hi, cue.end() + 40)
        baseline_entities = [e for e in inside if cue.end() <= e.start < stop]
        if not baseline_entities:
            words = _WORD.findall(text[cue.end():stop])[:3]
            baseline_terms = content_terms(" ".join(words))
    named = [e for e in inside if e.kind in NAMED_KINDS and e not in baseline_entities]
    expanded = {(e.kind, name) for e in named for name in with_families({e.name})}
    baseline = (frozenset(with_families({e.name for e in baseline_entities})) if baseline_entities
                else baseline_terms)
    metrics = with_families({e.name for e in inside if e.kind == "metric"})
    return Frame(frozenset(expanded), frozenset(metrics), frozenset(baseline))


def _with_frames(text: str, quantities: tuple[Quantity, ...],
                 entities: tuple[EntityMatch, ...]) -> tuple[Quantity, ...]:
    return tuple(replace(q, frame=frame_of(text, q.start, q.end, entities, counted=q.kind == "count"))
                 for q in quantities)


def complete_claim(claim: str, evidence: str, *, tail_words: int = 4) -> str | None:
    """Complete a truncated ``claim`` from an ``evidence`` sentence that continues it.

    The claim's last words (the very last one may be cut, "point" for "points") are looked up
    in the evidence; the claim is completed with the rest of the evidence sentence. Returns
    ``None`` when the evidence does not continue the claim.
    """
    words = list(re.finditer(r"\S+", claim.strip()))
    if not words:
        return None
    for n in range(min(tail_words, len(words)), 1, -1):
        tail = [w.group() for w in words[-n:]]
        body = r"\s+".join(re.escape(w) for w in tail[:-1])
        pattern = re.compile(body + r"\s+(" + re.escape(tail[-1]) + r")", re.IGNORECASE)
        hit = pattern.search(evidence)
        if hit:
            rest = evidence[hit.start(1) :].strip()
            end = re.search(r"(?<=[.!?])(?:\s|$)", rest)
            rest = rest[: end.start()] if end else rest
            completed = claim.strip()[: words[-1].start()] + rest
            return completed if len(completed) > len(claim.strip()) else None
    return None
