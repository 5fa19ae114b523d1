"""Verification runs of claim mentions and the evidence each run cites; history is kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAtMixin

if TYPE_CHECKING:
    from app.models.reports import ClaimMention


class Verification(CreatedAtMixin, Base):
    """One verifier run on one claim mention (a claim as made by one report)."""

    __tablename__ = "verifications"
    __table_args__ = (
        Index(None, "mention_id", "id"),
        # a re-run job (after a crash) continues where it stopped: one verification per mention and job
        Index("uq_verifications_job_mention", "job_id", "mention_id", unique=True,
              sqlite_where=text("job_id IS NOT NULL"), postgresql_where=text("job_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("claim_mentions.id", ondelete="CASCADE"))
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    verdict: Mapped[str] = mapped_column(String(24), index=True)
    # None for ``unchecked``: no cited source had text, so there is no verdict to be confident in.
    confidence: Mapped[float | None]
    probabilities: Mapped[dict] = mapped_column(default=dict)
    explanation: Mapped[str] = mapped_column(Text)
    version_notes: Mapped[list] = mapped_column(default=list)
    completed_text: Mapped[str | None] = mapped_column(Text)
    verifier_version: Mapped[str] = mapped_column(String(64))
    model_ids: Mapped[dict] = mapped_column(default=dict)
    # Keys of the cited source versions that had no text, and how many versions are cited.
    unread_sources: Mapped[list] = mapped_column(default=list)
    cited_sources: Mapped[int] = mapped_column(default=0)

    mention: Mapped[ClaimMention] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="verification", order_by="Evidence.rank", cascade="all, delete-orphan"
    )


class Evidence(Base):
    """A passage a verification relied on, with its stance towards the claim."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    verification_id: Mapped[int] = mapped_column(
        ForeignKey("verifications.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int]
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True)
    source_key: Mapped[str] = mapped_column(String(64))
    source_version: Mapped[int | None]
    cited: Mapped[bool] = mapped_column(default=True)
    passage_index: Mapped[int]
    page: Mapped[int | None]
    char_start: Mapped[int]
    char_end: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    retrieval_score: Mapped[float]
    stance: Mapped[str] = mapped_column(String(16))
    stance_prob: Mapped[float]

    verification: Mapped[Verification] = relationship(back_populates="evidence")
