"""HTTP Range requests (RFC 9110 §14) for streamed content: one range per request.

`bytes=a-b`, `bytes=a-` and `bytes=-n` are served as 206; several ranges at once are answered
with the whole content (200), which the RFC allows; a range that starts past the end is 416.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeNotSatisfiable(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(f"bytes */{size}")
        self.size = size


@dataclass(frozen=True, slots=True)
class ByteRange:
    start: int
    stop: int
    """Exclusive."""

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.stop - 1}/{size}"

    @property
    def length(self) -> int:
        return self.stop - self.start


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The range asked for, or None for the whole content (no header, or one we ignore)."""
    if not header:
        return None
    found = _RANGE.match(header.strip().replace(" ", ""))
    if found is None:
        return None  # several ranges, other units, or garbage: send everything
    first, last = found.groups()
    if not first and not last:
        return None
    if not first:  # the last n bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(size)
        return ByteRange(max(0, size - suffix), size)
    start = int(first)
    if start >= size:
        raise RangeNotSatisfiable(size)
    stop = size if not last else min(int(last) + 1, size)
    if stop <= start:
        return None  # last < first: syntactically invalid, ignored
    return ByteRange(start, stop)
