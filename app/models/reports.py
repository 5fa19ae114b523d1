"""Reports, the claims they make, and what they cite."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.models.base import Base, CreatedAtMixin

if TYPE_CHECKING:
    from app.models.sources import Source


class Report(CreatedAtMixin, Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    report_date: Mapped[date | None]
    research_question: Mapped[str | None] = mapped_column(Text)
    stated_papers_retrieved: Mapped[int | None]
    stated_claims_extracted: Mapped[int | None]
    stated_claims_verified: Mapped[int | None]
    stated_quality_score: Mapped[float | None]
    warnings: Mapped[list] = mapped_column(default=list)
    raw_text: Mapped[str] = mapped_column(Text, deferred=True)  # up to 2 MB: loaded on demand

    mentions: Mapped[list[ClaimMention]] = relationship(
        back_populates="report", order_by="ClaimMention.position", cascade="all, delete-orphan"
    )
    citations: Mapped[list[Citation]] = relationship(
        back_populates="report", order_by="Citation.position", cascade="all, delete-orphan"
    )


class Claim(CreatedAtMixin, Base):
    """One claim wording, shared by every report that makes it (matched on ``key``)."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    truncated: Mapped[bool] = mapped_column(default=False)
    completed_text: Mapped[str | None] = mapped_column(Text)
    group_key: Mapped[str] = mapped_column(String(64), index=True)
    group_id: Mapped[int | None] = mapped_column(index=True)

    mentions: Mapped[list[ClaimMention]] = relationship(
        back_populates="claim", order_by="ClaimMention.report_id"
    )


class ClaimMention(Base):
    """A claim as stated in one report, with that report's own ✓ and confidence."""

    __tablename__ = "claim_mentions"
    __table_args__ = (UniqueConstraint("report_id", "position"), Index(None, "latest_verdict", "claim_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    line: Mapped[int]
    stated_verified: Mapped[bool]
    stated_confidence: Mapped[float]
    # The latest verification of this mention, kept by database triggers on ``verifications``
    # (migration 0009_search): read-only here, never set by the application.
    latest_verification_id: Mapped[int | None]
    latest_verdict: Mapped[str | None] = mapped_column(String(24))
    latest_confidence: Mapped[float | None]

    report: Mapped[Report] = relationship(back_populates="mentions")
    claim: Mapped[Claim] = relationship(back_populates="mentions")


class Citation(Base):
    """A reference of a report; ``source_id`` is set only for valid arXiv ids."""

    __tablename__ = "citations"
    __table_args__ = (UniqueConstraint("report_id", "position"), Index(None, "source_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    position: Mapped[int]
    raw: Mapped[str] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    warning: Mapped[str | None] = mapped_column(Text)

    report: Mapped[Report] = relationship(back_populates="citations")
    source: Mapped[Source | None] = relationship()


# How many reports state a claim, computed in SQL so listings never load every mention.
Claim.mention_count = column_property(
    select(func.count(ClaimMention.id)).where(ClaimMention.claim_id == Claim.id)
    .correlate_except(ClaimMention).scalar_subquery(),
    deferred=False,
)

Report.claim_count = column_property(
    select(func.count(ClaimMention.id)).where(ClaimMention.report_id == Report.id)
    .correlate_except(ClaimMention).scalar_subquery(),
    deferred=False,
)
