from __future__ import annotations

from datetime import datetime

from pydantic import Field

from app.schemas.common import Schema


class SourceOut(Schema):
    id: int
    key: str
    arxiv_id: str
    version: int | None
    title: str | None
    status: str
    error: str | None
    latest_version: int | None
    passage_count: int
    fetched_at: datetime | None


class SourceFileOut(Schema):
    kind: str
    sha256: str
    size: int
    url: str = Field(description="where it came from: an arXiv URL or a local path")
    media_type: str
    local: bool = False


class SourceDetailOut(SourceOut):
    """A source with its metadata, what was fetched and whether the cited version is current."""

    authors: list[str]
    abstract: str | None
    categories: list[str]
    published: datetime | None
    updated: datetime | None
    fetched_version: int | None = Field(description="version the passages come from")
    versions_known: list[str] = Field(default_factory=list, description="versioned ids arXiv has for this paper")
    is_latest: bool | None = Field(description="the cited (or fetched) version is the latest")
    version_notice: str | None = Field(default=None, description='e.g. "cited version v1 is not the latest (v2)"')
    text_kind: str | None
    text_sha256: str | None
    files: list[SourceFileOut]
    warnings: list[str]
    created_at: datetime


class PassageOut(Schema):
    id: int
    source_id: int
    index: int
    page: int | None
    char_start: int
    char_end: int
    text: str
