"""Periodic housekeeping an API process runs beside serving requests.

Today: giving back reservations whose 15 minutes ran out, so seats return to sale even when
nobody reads the lapsed order. Safe with many processes at once: each expiry locks its order
row and re-checks it, so two sweepers never release the same reservation twice. (The worker
of the notifications issue will take this over for deployments that run one.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("showgeo.background")

MAX_BACKOFF_SECONDS = 30.0


class PeriodicJob:
    """Runs `job` every `interval` seconds until stopped; a failing run is logged and the
    next one still happens, so a database blip does not end the housekeeping."""

    def __init__(self, name: str, job: Callable[[], Awaitable[object]], interval: float) -> None:
        self._name = name
        self._job = job
        self._interval = interval
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
