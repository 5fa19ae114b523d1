"""Latest verdicts, read from the status that triggers keep on each claim mention.

``claim_mentions.latest_verification_id/latest_verdict/latest_confidence`` always describe the
mention's newest verification (migration ``0009_search``), so a page of claims gets its status
in one indexed query and nothing here scans the verification history. Verdicts are plain
strings: a new verdict label needs no change here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, selectinload

from app.models import ClaimMention, Report, Verification
from app.services.reports import get_report
from verifier.verdict import UNCHECKED


@dataclass(frozen=True, slots=True)
class ClaimStatus:
    """A claim's overall status from its mentions' latest verdicts.

    ``verdict`` is the shared verdict, ``mixed`` when mentions disagree (e.g. reports citing
    different versions), ``unchecked`` when no mention could be checked (no cited source has
    text; mentions that were checked decide otherwise), ``None`` when never verified."""

    verdict: str | None
    confidence: float | None
    counts: dict[str, int]
    verified_mentions: int

    @classmethod
    def of(cls, runs: list[tuple[str, float | None]]) -> ClaimStatus:
        """The status of the latest ``(verdict, confidence)`` of each verified mention."""
        confidences: dict[str, list[float | None]] = {}  # in the order the verdicts first occur
        for verdict, confidence in runs:
            confidences.setdefault(verdict, []).append(confidence)
        groups = []
        for verdict, values in confidences.items():
            rated = [value for value in values if value is not None]
            groups.append((verdict, len(values), sum(rated), len(rated)))
        return cls.of_groups(groups)

    @classmethod
    def of_groups(cls, groups: list[tuple[str, int, float | None, int]]) -> ClaimStatus:
        """The status from each verdict's ``(verdict, mentions, sum of their confidences, how
        many had one)``, in the order the verdicts first occurred."""
        if not groups:
            return cls(None, None, {}, 0)
        counts = {verdict: mentions for verdict, mentions, _, _ in groups}
        verified = sum(counts.values())
        checked = [group for group in groups if group[0] != UNCHECKED]
        if not checked:
            return cls(UNCHECKED, None, counts, verified)
        if len(checked) > 1:
            return cls("mixed", None, counts, verified)
        verdict, _, total, rated = checked[0]
        return cls(verdict, total / rated if rated else None, counts, verified)


_MENTIONS = ClaimMention.__table__  # Core: plain rows, no ORM result machinery
# Built once (a statement built per call, with its cache key, cost twice what the query does).
# One row per (claim, verdict), not per mention: a claim that a thousand reports make costs a
# page a few rows, not a thousand.
_LATEST_OF_CLAIMS = (
    select(_MENTIONS.c.claim_id, _MENTIONS.c.latest_verdict, func.count(),
           func.sum(_MENTIONS.c.latest_confidence), func.count(_MENTIONS.c.latest_confidence))
    .where(_MENTIONS.c.claim_id.in_(bindparam("claim_ids", expanding=True)), _MENTIONS.c.latest_verdict.is_not(None))
    .group_by(_MENTIONS.c.claim_id, _MENTIONS.c.latest_verdict)
    .order_by(_MENTIONS.c.claim_id, func.min(_MENTIONS.c.latest_verification_id))
)


def latest_verdicts(session: Session, claim_ids: Iterable[int]) -> dict[int, ClaimStatus]:
    """Overall status per claim id (claims never verified map to an empty status)."""
    claim_ids = list(claim_ids)
    groups: dict[int, list[tuple[str, int, float | None, int]]] = defaultdict(list)
    if claim_ids:
        for claim_id, verdict, mentions, total, rated in session.connection().execute(
                _LATEST_OF_CLAIMS, {"claim_ids": claim_ids}):
            groups[claim_id].append((verdict, mentions, total, rated))
    return {claim_id: ClaimStatus.of_groups(groups.get(claim_id, [])) for claim_id in claim_ids}


def latest_verifications(session: Session, *, claim_ids: Iterable[int] | None = None,
                         report_id: int | None = None,
                         mention_ids: Iterable[int] | None = None) -> dict[int, Verification]:
    """The latest verification of each mention, by mention id (evidence loaded)."""
    latest = select(ClaimMention.latest_verification_id).where(ClaimMention.latest_verification_id.is_not(None))
    if claim_ids is not None:
        latest = latest.where(ClaimMention.claim_id.in_(list(claim_ids)))
    if mention_ids is not None:
        latest = latest.where(ClaimMention.id.in_(list(mention_ids)))
    if report_id is not None:
        latest = latest.where(ClaimMention.report_id == report_id)
    rows = session.scalars(
        select(Verification).where(Verification.id.in_(latest)).options(selectinload(Verification.evidence))
    )
    return {v.mention_id: v for v in rows}


ReportRuns = tuple[Report, dict[int, Verification]]
"""A report (mentions, claims and citations loaded) and the latest verification of each mention."""


def load_report_runs(session: Session, report_id: int) -> ReportRuns:
    """What the audit, the synthesis and the report page read (``NotFoundError`` if no report)."""
    return get_report(session, report_id), latest_verifications(session, report_id=report_id)
