"""Lenient query parameters for HTML forms: an empty field means 'any'."""

from __future__ import annotations

from app.api.params import ID_MAX
from app.errors import BadRequestError


def optional_id(value: str | None, name: str) -> int | None:
    """``None`` for a blank field, else a positive id (400 naming the field otherwise)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not text.isdigit() or not 1 <= int(text) <= ID_MAX:
        raise BadRequestError(f"{name} must be a positive id, not {text[:40]!r}", code="invalid_filter")
    return int(text)


def blank_to_none(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None
