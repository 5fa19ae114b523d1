"""Shared path and query parameter types: ids fit the database's id columns (32-bit INTEGER on
PostgreSQL), offsets fit 64 bits, so an out-of-range number is a 422, never a database error."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

ID_MAX = 2**31 - 1  # INTEGER primary keys on PostgreSQL
INT64_MAX = 2**63 - 1

ResourceId = Annotated[int, Path(ge=1, le=ID_MAX, description="a positive id")]
OptionalId = Annotated[int | None, Query(ge=1, le=ID_MAX, description="a positive id")]
Offset = Annotated[int, Query(ge=0, le=INT64_MAX, description="rows to skip")]
# Text matched against stored text: no NUL or other control characters (PostgreSQL refuses NUL,
# SQLite would cut the pattern at it and match everything).
PLAIN_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
