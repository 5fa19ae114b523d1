from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CursorPage(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class OffsetPage(Schema, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int
