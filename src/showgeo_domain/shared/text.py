"""User-typed text: trimmed, length-checked, and empty meaning absent."""

from __future__ import annotations

from showgeo_domain.shared.errors import InvalidInput


def optional_text(raw: str | None, *, field: str, max_length: int) -> str | None:
    """Trimmed text, or None when nothing but whitespace was given."""
    text = raw.strip() if raw is not None else None
    if not text:
        return None
    if len(text) > max_length:
        raise InvalidInput(f"{field} is longer than {max_length}", field=field)
    return text


def required_text(raw: str, *, field: str, max_length: int) -> str:
    text = optional_text(raw, field=field, max_length=max_length)
    if text is None:
        raise InvalidInput(f"{field} must not be empty", field=field)
    return text
