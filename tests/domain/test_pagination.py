"""Keyset pagination: cursors round-trip, garbage is refused per field, and walking pages visits
every row exactly once, newest first, even when timestamps tie."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from uuid import UUID

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from showgeo_adapters.memory.repositories._base import newest_first_page
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    Keyset,
    PageRequest,
    decode_cursor,
    encode_cursor,
    page_of,
)

utc_datetimes = st.datetimes(timezones=st.just(UTC))
keysets = st.builds(Keyset, utc_datetimes, st.uuids())


@given(keysets)
def test_cursor_round_trips(position: Keyset) -> None:
    assert decode_cursor(encode_cursor(position)) == position


@given(keysets)
def test_cursor_is_url_safe_and_unpadded(position: Keyset) -> None:
    cursor = encode_cursor(position)
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _base64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


garbage_cursors = st.one_of(
    st.text(min_size=1),
    st.binary(min_size=1).map(_base64),
    st.from_type(object).map(lambda v: _base64(repr(v).encode())),
    st.lists(st.integers() | st.text(), max_size=3).map(lambda v: _base64(msgspec.json.encode(v))),
)


@given(garbage_cursors)
def test_garbage_cursors_raise_invalid_input_on_the_cursor_field(cursor: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        decode_cursor(cursor)
    assert raised.value.field == "cursor"


@pytest.mark.parametrize(
    "cursor",
    [
        "x",
        "not a cursor",
        "%%%%",
        "é",
        _base64(b"[]"),
        _base64(b'["2026-01-01T00:00:00Z"]'),
        _base64(b'["yesterday", "0b0e6f3e-8d4c-4c1e-9f51-0c5c6f2e2b8d"]'),
        _base64(b'{"created_at": "2026-01-01T00:00:00Z", "id": "nope"}'),
    ],
)
def test_known_garbage_cursors_raise_invalid_input(cursor: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        decode_cursor(cursor)
    assert raised.value.field == "cursor"


def test_cursor_with_a_naive_timestamp_is_refused() -> None:
    forged = _base64(b'["2026-01-01T00:00:00", "0b0e6f3e-8d4c-4c1e-9f51-0c5c6f2e2b8d"]')
    with pytest.raises(InvalidInput):
        decode_cursor(forged)


def test_limit_defaults_and_bounds() -> None:
    assert PageRequest.parse(None, None) == PageRequest(limit=DEFAULT_LIMIT, after=None)
    assert PageRequest.parse("", 1).limit == 1
    assert PageRequest.parse(None, MAX_LIMIT).limit == MAX_LIMIT


@pytest.mark.parametrize("limit", [0, -1, MAX_LIMIT + 1, 10**9])
def test_limit_out_of_bounds_raises_invalid_input_on_the_limit_field(limit: int) -> None:
    with pytest.raises(InvalidInput) as raised:
        PageRequest.parse(None, limit)
    assert raised.value.field == "limit"


def test_parse_decodes_the_cursor() -> None:
    position = Keyset(datetime(2026, 1, 1, tzinfo=UTC), UUID(int=7))
    assert PageRequest.parse(encode_cursor(position), 5).after == position


def test_page_of_uses_the_extra_row_only_to_say_more_exists() -> None:
    rows = [Keyset(datetime(2026, 1, 1, tzinfo=UTC), UUID(int=i)) for i in range(4)]
    request = PageRequest(limit=3)
    page = page_of(rows, request, lambda r: r)
    assert page.items == rows[:3]
    assert page.next_cursor is not None
    assert decode_cursor(page.next_cursor) == rows[2]
    last = page_of(rows[:3], request, lambda r: r)
    assert last.items == rows[:3]
    assert last.next_cursor is None
    assert page_of([], request, lambda r: r).items == []


# A few instants only, so many rows share a timestamp and the id must break the tie.
_BASE = datetime(2026, 1, 1, tzinfo=UTC)
rows_with_ties = st.lists(
    st.builds(
        Keyset,
        st.integers(min_value=0, max_value=5).map(lambda s: _BASE + timedelta(seconds=s)),
        st.uuids(),
    ),
    max_size=40,
    unique_by=lambda k: k.id,
)


@given(rows_with_ties, st.integers(min_value=1, max_value=12))
def test_walking_pages_yields_every_row_exactly_once_newest_first(
    rows: list[Keyset], limit: int
) -> None:
    seen: list[Keyset] = []
    cursor: str | None = None
    for _ in range(len(rows) + 2):
        page = newest_first_page(rows, PageRequest.parse(cursor, limit), lambda r: r)
        assert len(page.items) <= limit
        assert page.items or not rows, "an empty page was served while rows remained"
        seen.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert cursor is None, "pagination did not terminate"
    assert seen == sorted(rows, key=lambda k: (k.created_at, k.id), reverse=True)
