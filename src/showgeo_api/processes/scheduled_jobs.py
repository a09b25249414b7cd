"""The worker's jobs that read the container: the daily analytics recompute, the watch on
recompute leases and the sweep of abandoned uploads. `Worker` schedules them; each takes the
container and returns the work to run."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from showgeo_api.wiring.container import Container
from showgeo_domain.analytics.jobs import JobTrigger
from showgeo_domain.assets.services import Assets

log = logging.getLogger("showgeo.analytics")


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


def sweep_abandoned_uploads(container: Container) -> Callable[[], Awaitable[int]]:
    """The worker's scheduled job (`ASSETS_SWEEP_CRON`): direct uploads never completed are
    removed, images whose variant job was lost are marked FAILED."""
    assets: Assets = container.assets()

    async def sweep() -> int:
        return await assets.sweep_abandoned() + await assets.fail_lost_variant_jobs()

    return sweep
