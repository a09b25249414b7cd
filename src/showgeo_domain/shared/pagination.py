"""Keyset pagination: an opaque cursor holds the last row's sort key, so pages never skip or
repeat rows when others are inserted meanwhile, and deep pages cost the same as the first."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

import msgspec

from showgeo_domain.shared.errors import InvalidInput

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Rows per read when the process itself walks every row (an export), never a caller's page.
BATCH_LIMIT = 500


class Keyset(msgspec.Struct, frozen=True, array_like=True):
    """Position after which the next page starts; lists sort by (created_at, id) descending."""

    created_at: Annotated[datetime, msgspec.Meta(tz=True)]
    id: UUID


class PageRequest(msgspec.Struct, frozen=True):
    limit: int = DEFAULT_LIMIT
    after: Keyset | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}", field="limit")

    @classmethod
    def parse(cls, cursor: str | None, limit: int | None) -> PageRequest:
        return cls(
            limit=DEFAULT_LIMIT if limit is None else limit,
            after=decode_cursor(cursor) if cursor else None,
        )


class BatchRequest(PageRequest, frozen=True):
    """A page the process reads for itself, as an export walks every matching row: larger
    than a caller may ask for (fewer reads; memory still bounded by one batch), so it is
    built only in the domain, never from a request; callers' pages stay within MAX_LIMIT.
    Repositories take it wherever they take a PageRequest."""

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= BATCH_LIMIT:
            raise ValueError(f"a batch holds between 1 and {BATCH_LIMIT} rows")


class Page(msgspec.Struct, Generic[T], frozen=True):
    items: list[T]
    next_cursor: str | None = None


def encode_position(position: msgspec.Struct) -> str:
    """Any sort position as an opaque URL-safe cursor (lists sorted other ways bring their
    own position type)."""
    return base64.urlsafe_b64encode(msgspec.json.encode(position)).decode().rstrip("=")


def decode_position(cursor: str, kind: Any) -> Any:
    """The position of type `kind` in `cursor`; a forged or foreign cursor is bad input."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=kind)
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
        raise InvalidInput("cursor is not one this API issued", field="cursor") from exc


def encode_cursor(position: Keyset) -> str:
    return encode_position(position)


def decode_cursor(cursor: str) -> Keyset:
    position: Keyset = decode_position(cursor, Keyset)
    return position


def page_of(rows: Sequence[T], request: PageRequest, key_of: Callable[[T], Keyset]) -> Page[T]:
    """Build a page from up to `limit + 1` rows fetched in order: the extra row only says
    whether another page exists."""
    items = list(rows[: request.limit])
    more = len(rows) > request.limit
    return Page(items=items, next_cursor=encode_cursor(key_of(items[-1])) if more else None)
