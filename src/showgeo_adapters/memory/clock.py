from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    """A clock tests move by hand; it only goes forward when told."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def tick(self) -> datetime:
        """Move one microsecond so consecutive writes get distinct, ordered timestamps."""
        self._now += timedelta(microseconds=1)
        return self._now
