"""API token listings and creation (the token itself appears only in the creation response)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from app.schemas.common import Schema


class TokenOut(Schema):
    id: int
    name: str
    role: str
    prefix: str = Field(description="the token's first characters, to recognise it")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreate(Schema):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]*\S[^\x00-\x1f\x7f]*$",
                      description="who or what uses it, e.g. 'ci' or 'alice laptop'")
    role: Literal["viewer", "editor", "admin"]


class TokenCreated(TokenOut):
    token: str = Field(description="the bearer token: shown this once, only its hash is stored")
