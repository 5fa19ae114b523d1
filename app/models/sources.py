"""Cited arXiv papers, one row per cited version, and the passages of their text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAtMixin

SOURCE_STATUSES = ("pending", "fetching", "fetched", "failed", "missing")


class Source(CreatedAtMixin, Base):
    """An arXiv paper at the version a report cites (``version`` None: cited unversioned).

    ``fetched_version`` is the version whose text the passages come from: the cited one, or
    for an unversioned citation the version arXiv called current when it was fetched.
    """

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    arxiv_id: Mapped[str] = mapped_column(String(48), index=True)
    version: Mapped[int | None]
    title: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list] = mapped_column(default=list)
    abstract: Mapped[str | None] = mapped_column(Text)
    categories: Mapped[list] = mapped_column(default=list)
    published: Mapped[datetime | None]
    updated: Mapped[datetime | None]
    latest_version: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    error: Mapped[str | None] = mapped_column(Text)
    text_sha256: Mapped[str | None] = mapped_column(String(64))
    passage_count: Mapped[int] = mapped_column(default=0)
    fetched_at: Mapped[datetime | None]
    fetched_version: Mapped[int | None]
    text_kind: Mapped[str | None] = mapped_column(String(16))
    files: Mapped[list] = mapped_column(default=list)
    warnings: Mapped[list] = mapped_column(default=list)

    passages: Mapped[list[Passage]] = relationship(
        back_populates="source", order_by="Passage.index", cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def effective_version(self) -> int | None:
        """The version the text is (or will be) of: cited, else the one fetched."""
        return self.version if self.version is not None else self.fetched_version

    @property
    def is_latest(self) -> bool | None:
        """Whether that version is the latest arXiv knows; None while unknown."""
        if self.effective_version is None or self.latest_version is None:
            return None
        return self.effective_version >= self.latest_version


class Passage(Base):
    """A sentence-sized span of a source's extracted text (offsets into that text)."""

    __tablename__ = "passages"
    __table_args__ = (UniqueConstraint("source_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    index: Mapped[int]
    page: Mapped[int | None]
    char_start: Mapped[int]
    char_end: Mapped[int]
    text: Mapped[str] = mapped_column(Text)

    source: Mapped[Source] = relationship(back_populates="passages")
