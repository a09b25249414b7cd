"""Background work beside serving requests, in `showgeo worker` or in `showgeo serve` on
the embedded default: jobs every few seconds (the outbox relay; giving back reservations whose
15 minutes ran out) and jobs at cron times (the daily analytics recompute).

Every job is safe with many processes at once: the relay splits the outbox with `SKIP LOCKED`,
each expiry locks its order row and re-checks it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from croniter import croniter

log = logging.getLogger("showgeo.background")

MAX_BACKOFF_SECONDS = 30.0


class _BackgroundTask:
    """One named task, started once and cancelled on stop."""

    _name: str

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        raise NotImplementedError


class PeriodicJob(_BackgroundTask):
    """Runs `job` every `interval` seconds until stopped; a failing run is logged and the
    next one still happens, so a database blip does not end the housekeeping."""

    def __init__(self, name: str, job: Callable[[], Awaitable[object]], interval: float) -> None:
        super().__init__()
        self._name = name
        self._job = job
        self._interval = interval

    async def run_once(self) -> bool:
        """One run; False when it failed (logged: a bug or an outage to look at)."""
        try:
            await self._job()
        except Exception:
            log.exception("background job %s failed", self._name)
            return False
        return True

    def delay_after(self, failures: int) -> float:
        """The wait before the next run: the interval, doubled per consecutive failure up to
        MAX_BACKOFF_SECONDS, so an outage (NATS or the database down) is not hammered."""
        backoff: float = self._interval * 2.0**failures
        return min(backoff, max(self._interval, MAX_BACKOFF_SECONDS))

    async def _run(self) -> None:
        failures = 0
        while True:
            failures = 0 if await self.run_once() else failures + 1
            await asyncio.sleep(self.delay_after(failures))


class CronJob(_BackgroundTask):
    """Runs `job` at every time a cron expression names, in a time zone (the daily analytics
    recompute at 02:00). A run that fails is logged and the next scheduled one still happens;
    a run that overlaps its next slot delays it rather than running twice at once."""

    def __init__(
        self, name: str, job: Callable[[], Awaitable[object]], cron: str, timezone: str = "UTC"
    ) -> None:
        if not croniter.is_valid(cron):
            raise ValueError(f"{name}: {cron!r} is not a cron expression")
        super().__init__()
        self._name = name
        self._job = job
        self._cron = cron
        self._zone = ZoneInfo(timezone)

    def next_run(self, after: datetime) -> datetime:
        """The first scheduled time strictly after `after` (aware, in UTC)."""
        local = after.astimezone(self._zone)
        upcoming: datetime = croniter(self._cron, local).get_next(datetime)
        return upcoming.astimezone(UTC)

    async def _run(self) -> None:
        while True:
            due = self.next_run(datetime.now(UTC))
            await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()))
            log.info("scheduled job %s starting (due %s)", self._name, due.isoformat())
            try:
                await self._job()
            except Exception:
                log.exception("scheduled job %s failed", self._name)
