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

    async def run_once(self) -> None:
        try:
            await self._job()
        except Exception:  # keep sweeping; the failure is a bug or an outage to look at
            log.exception("background job %s failed", self._name)

    async def _run(self) -> None:
        while True:
            await self.run_once()
            await asyncio.sleep(self._interval)
