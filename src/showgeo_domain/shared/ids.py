"""Identifiers are random UUIDs: unguessable, so an id in a URL leaks nothing about volume."""

from __future__ import annotations

import uuid
from uuid import UUID

__all__ = ["UUID", "new_id", "parse_id"]


def new_id() -> UUID:
    return uuid.uuid4()


def parse_id(text: str) -> UUID | None:
    """The UUID spelled by `text`, or None when it is not one (e.g. a slug)."""
    try:
        return UUID(text)
    except ValueError:
        return None
