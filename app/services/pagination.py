"""Opaque keyset cursors: base64 of ``[last row's sort value, last row's id]``.

Decoding is strict: anything but the shape ``encode_cursor`` writes (the expected value type, a
64-bit id, bounded length and nesting) is a 400 ``invalid_cursor``, never a server error.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from app.errors import BadRequestError

MAX_CURSOR_LENGTH = 2_000
ID_LIMIT = 2**31  # ids are INTEGER columns (32-bit on PostgreSQL)


def encode_cursor(value: Any, row_id: int) -> str:
    raw = json.dumps([value, row_id], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _valid_value(value: Any, value_type: type) -> bool:
    if value_type is int:
        return type(value) is int and 0 < value < ID_LIMIT
    return type(value) is str and "\x00" not in value  # no database stores NUL in text


def decode_cursor(cursor: str, value_type: type = int) -> tuple[Any, int]:
    """``(value, row_id)`` of a cursor whose sort value is of ``value_type`` (int or str)."""
    invalid = BadRequestError("invalid cursor: pass next_cursor from the previous page unchanged, "
                              "or leave it out for the first page", code="invalid_cursor")
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = json.loads(raw.decode("utf-8"))
    except (ValueError, binascii.Error, RecursionError):
        raise invalid from None
    if not (isinstance(decoded, list) and len(decoded) == 2):
        raise invalid
    value, row_id = decoded
    if type(row_id) is not int or not 0 < row_id < ID_LIMIT or not _valid_value(value, value_type):
        raise invalid
    return value, row_id
