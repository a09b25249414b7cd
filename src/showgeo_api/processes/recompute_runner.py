"""Recomputes requested over HTTP run as tasks of the API process that accepted them.

A recompute asked for with `POST /analytics/update` runs in the process that answered 202.
If that process stops, the job is marked FAILED (`interrupted`); if it dies outright, its
lease runs out and a worker runs it again from the start (`resume_abandoned_recompute` in
`processes/scheduled_jobs.py`; see `showgeo_domain.analytics.jobs`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from uuid import UUID

from showgeo_domain.analytics.recompute import Recompute

log = logging.getLogger("showgeo.analytics")


class RecomputeRunner:
    """Runs queued recompute jobs as background tasks of this process."""

    def __init__(self, recompute: Recompute) -> None:
        self._recompute = recompute
        self._tasks: set[asyncio.Task[object]] = set()

    def launch(self, job_id: UUID) -> None:
        task: asyncio.Task[object] = asyncio.create_task(
            self._recompute.run(job_id), name=f"analytics-recompute-{job_id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[object]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("analytics recompute failed: %s", task.exception())

    async def wait(self) -> None:
        """Until every launched job has finished (tests, orderly shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
