"""Verdicts: per-source judgements aggregated over sources and versions into one `Verdict`.

Probability vectors are ordered as :data:`LABELS` (supported, contradicted, not_enough_info).
Only the cited versions decide the label; other versions of the same paper are judged too and
reported in ``version_notes`` ("supported by v2 (cited), contradicted by v1").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

LABELS: tuple[str, str, str] = ("supported", "contradicted", "not_enough_info")
SUPPORTED, CONTRADICTED, NOT_ENOUGH_INFO = LABELS
# Not a verdict about the claim: none of its cited sources has text to check it against.
UNCHECKED = "unchecked"
FIX_UNCHECKED = ("run `claimtrace sources fetch`, or attach copies with "
                 "`claimtrace sources add ID --file PATH` (or `--folder DIR`)")


def unchecked_reason(cited: int, unread: int) -> str:
    """"0 of 8 cited sources have text: run ..." — why a mention is unchecked and the fix."""
    have = cited - unread
    noun = "source has" if cited == 1 else "sources have"
    if cited == 0:
        return "the report cites no source to check the claim against"
    return f"{have} of {cited} cited {noun} text: {FIX_UNCHECKED}"


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """A passage offered as evidence, with its stance towards the claim."""

    source_key: str
    source_id: int | str | None
    version: int | None
    passage_index: int
    page: int | None
    char_start: int
    char_end: int
    text: str
    retrieval_score: float
    stance: str  # supports | contradicts | neutral
    stance_prob: float
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SourceJudgement:
    """The verdict of one source version alone."""

    source_key: str
    source_id: int | str | None
    paper: str | None
    version: int | None
    cited: bool
    label: str
    probs: tuple[float, float, float]
    evidence: tuple[EvidenceItem, ...]
    notes: tuple[str, ...] = ()
    # Best passage similarity to the claim minus to the claim with its direction flipped
    # (verifier.contrast; 0 without an embedding model).
    contrast: float = 0.0

    @property
    def confidence(self) -> float:
        return self.probs[LABELS.index(self.label)]


@dataclass(slots=True)
class Verdict:
    """The verdict on one claim against the sources its report cites."""

    label: str
    confidence: float | None
    probs: tuple[float, ...]
    evidence: list[EvidenceItem]
    explanation: str
    version_notes: list[str] = field(default_factory=list)
    sources: list[SourceJudgement] = field(default_factory=list)
    completed_text: str | None = None
    model_ids: dict[str, str | None] = field(default_factory=dict)
    unread_sources: list[str] = field(default_factory=list)
    cited_sources: int = 0

    @property
    def checked(self) -> bool:
        """Whether any cited source was read (``unchecked`` verdicts say nothing about the claim)."""
        return self.label != UNCHECKED

    def to_dict(self) -> dict:
        return asdict(self)


def label_of(probs: Sequence[float]) -> str:
    return LABELS[int(np.argmax(np.asarray(probs)))]


def combine(support: float, contradict: float) -> np.ndarray:
    """A normalised (supported, contradicted, nei) vector from the strongest support and
    contradiction found; whatever neither settles is "not enough info"."""
    support, contradict = float(np.clip(support, 0, 1)), float(np.clip(contradict, 0, 1))
    vector = np.array([support, contradict, 1.0 - max(support, contradict)], dtype=np.float64)
    total = vector.sum()
    return vector / total if total > 0 else np.array([0.0, 0.0, 1.0])


def aggregate_sources(judgements: Sequence[SourceJudgement]) -> np.ndarray:
    """Claim-level vector from the cited sources: the strongest support, the strongest
    contradiction and the least "not enough info" (one cited source: its own vector)."""
    cited = [j for j in judgements if j.cited]
    if not cited:
        return np.array([0.0, 0.0, 1.0])
    vector = np.array([max(j.probs[0] for j in cited), max(j.probs[1] for j in cited),
                       min(j.probs[2] for j in cited)], dtype=np.float64)
    return vector / vector.sum()


def version_notes(judgements: Sequence[SourceJudgement]) -> list[str]:
    """One note per paper checked in more than one version: the verdict of each version."""
    by_paper: dict[str, list[SourceJudgement]] = {}
    for j in judgements:
        if j.paper:
            by_paper.setdefault(j.paper, []).append(j)
    notes: list[str] = []
    for paper, versions in by_paper.items():
        if len(versions) < 2 and all(v.cited for v in versions):
            continue
        versions = sorted(versions, key=lambda v: (v.version or 0))
        parts = [
            f"{v.label.replace('_', ' ')} by v{v.version if v.version else '?'}"
            + (" (cited)" if v.cited else "")
            for v in versions
        ]
        disagree = len({v.label for v in versions}) > 1
        notes.append(f"{paper}: " + ", ".join(parts) + ("; the versions disagree" if disagree else ""))
    return notes
