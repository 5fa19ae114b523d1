"""Opaque keyset cursors: base64 of the last row's sort value and id."""

from __future__ import annotations

import base64
import json
from typing import Any

from app.errors import BadRequestError


def encode_cursor(value: Any, row_id: int) -> str:
    raw = json.dumps([value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(row_id, int):
            raise ValueError
        return value, row_id
    except (ValueError, TypeError, json.JSONDecodeError):
        raise BadRequestError("invalid cursor", code="invalid_cursor") from None
