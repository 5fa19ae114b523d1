"""Property tests: keyset cursors round-trip, and any other string is a 400, never a crash."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from app.errors import BadRequestError
from app.services.pagination import decode_cursor, encode_cursor

FAST = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
IDS = st.integers(1, 2**31 - 1)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                    lambda children: st.lists(children) | st.dictionaries(st.text(), children), max_leaves=20)


@FAST
@given(IDS, IDS)
def test_id_cursors_round_trip(value: int, row_id: int) -> None:
    assert decode_cursor(encode_cursor(value, row_id), int) == (value, row_id)


@FAST
@given(st.text(max_size=300).filter(lambda t: "\x00" not in t), IDS)
def test_text_cursors_round_trip(value: str, row_id: int) -> None:
    assert decode_cursor(encode_cursor(value, row_id), str) == (value, row_id)


def decodes_or_400(cursor: str, value_type: type) -> None:
    try:
        value, row_id = decode_cursor(cursor, value_type)
    except BadRequestError as exc:
        assert exc.code == "invalid_cursor"
        return
    assert type(value) is value_type and type(row_id) is int and 0 < row_id < 2**31


@FAST
@given(st.text(max_size=400), st.sampled_from([int, str]))
def test_any_string_is_a_cursor_or_a_400(cursor: str, value_type: type) -> None:
    decodes_or_400(cursor, value_type)


@FAST
@given(JSON, st.sampled_from([int, str]))
def test_any_json_payload_is_a_cursor_or_a_400(payload, value_type: type) -> None:
    decodes_or_400(base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("="), value_type)


@pytest.mark.parametrize("depth", [10, 999, 1400])
def test_deep_nesting_is_a_400(depth: int) -> None:
    with pytest.raises(BadRequestError):
        decode_cursor(base64.urlsafe_b64encode(b"[" * depth).decode())
