"""User-typed text: trimmed, length-checked, free of control characters, and empty meaning
absent.

Control characters (other than tab and line breaks) are refused: they are never typed on
purpose, they break logs and terminals, and PostgreSQL cannot store NUL in text at all (it
would fail at the database, a 500, instead of here, a 400)."""

from __future__ import annotations

import re

from showgeo_domain.shared.errors import InvalidInput

# Unicode's control characters (category Cc) are exactly C0 (U+0000-U+001F), DEL and C1
# (U+007F-U+009F); tab, line feed and carriage return are allowed. One regular expression
# scan instead of a category lookup per character: text is checked whenever an aggregate
# is built, on reads from the database too (tests/domain/test_text.py checks every code
# point against `unicodedata`).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def optional_text(raw: str | None, *, field: str, max_length: int) -> str | None:
    """Trimmed text, or None when nothing but whitespace was given."""
    text = raw.strip() if raw is not None else None
    if not text:
        return None
    if len(text) > max_length:
        raise InvalidInput(f"{field} is longer than {max_length}", field=field)
    if has_control_characters(text):
        raise InvalidInput(f"{field} must not contain control characters", field=field)
    return text


def required_text(raw: str, *, field: str, max_length: int) -> str:
    text = optional_text(raw, field=field, max_length=max_length)
    if text is None:
        raise InvalidInput(f"{field} must not be empty", field=field)
    return text


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None
