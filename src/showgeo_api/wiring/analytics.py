"""Wiring analytics into the processes: use cases from settings, recomputes requested over
HTTP run as tasks of the API process that accepted them, and the worker's daily job.

A recompute asked for with `POST /analytics/update` runs in the process that answered 202.
If that process stops, the job is marked FAILED (`interrupted`); if it dies outright, its
lease runs out and a worker runs it again from the start (`resume_abandoned`, below; see
`showgeo_domain.analytics.jobs`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_api.settings import Settings
from showgeo_domain.analytics.jobs import JobTrigger
from showgeo_domain.analytics.recompute import Recompute
from showgeo_domain.analytics.score import ScoreWeights
from showgeo_domain.analytics.services import Analytics
from showgeo_domain.shared.clock import Clock

if TYPE_CHECKING:
    from showgeo_api.wiring.container import Container

log = logging.getLogger("showgeo.analytics")


def score_weights(settings: Settings) -> ScoreWeights:
    return ScoreWeights(
        followers=settings.analytics_weight_followers,
        viewers=settings.analytics_weight_viewers,
        store_revenue=settings.analytics_weight_store_revenue,
        tickets_sold=settings.analytics_weight_tickets_sold,
        notifications_sent=settings.analytics_weight_notifications_sent,
    )


def build_recompute(settings: Settings, uow: PlatformUnitOfWorkFactory, clock: Clock) -> Recompute:
    return Recompute(
        uow,
        clock,
        weights=score_weights(settings),
        top_k=settings.analytics_neighbours,
        user_chunk=settings.analytics_user_chunk,
        lease=timedelta(seconds=settings.analytics_job_lease_seconds),
    )


def build_analytics(
    settings: Settings, uow: PlatformUnitOfWorkFactory, clock: Clock, recompute: Recompute
) -> Analytics:
    return Analytics(uow, clock, recompute, weights=score_weights(settings))


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


def resume_abandoned_recompute(container: Container) -> Callable[[], Awaitable[object]]:
    """The worker's watch on recompute leases (every half lease): a job whose process died
    is run again here, or failed for good after too many attempts."""
    return container.recompute().resume_abandoned


def daily_recompute(container: Container) -> Callable[[], Awaitable[object]]:
    """The worker's scheduled job (ANALYTICS_CRON in SCHEDULER_TIMEZONE, 02:00 UTC by
    default); skipped, with a log line, while another recompute is running."""

    async def run() -> object:
        job, ran = await container.recompute().run_now(JobTrigger.SCHEDULE)
        if not ran:
            log.info("daily analytics skipped: job %s is still running", job.id)
        return job

    return run
