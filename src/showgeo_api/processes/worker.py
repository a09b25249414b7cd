"""The background half of the platform: the outbox relay, the event consumers, the
reservation sweep and the scheduled jobs.

`showgeo worker` runs it as its own process (any number of them: the relay splits the outbox
with `SKIP LOCKED`, the consumers share their durable JetStream consumers); with
`EMBEDDED_WORKER` on (the default) `showgeo serve` runs it inside each API process instead.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable

from showgeo_api.processes.background import CronJob, PeriodicJob
from showgeo_api.processes.consumers import known_consumers, register_consumers
from showgeo_api.processes.scheduled_jobs import (
    daily_recompute,
    resume_abandoned_recompute,
    sweep_abandoned_uploads,
)
from showgeo_api.wiring.container import Container, start, stop

log = logging.getLogger("showgeo.worker")

RELAY_SECONDS = 0.2
"""How often committed events move from the outbox to the bus: the floor of every
notification's latency."""
RESERVATION_SWEEP_SECONDS = 30.0
MAIL_RETRY_SECONDS = 10.0
"""How often mails waiting after a temporary failure are looked at (each has its own time)."""

ScheduledWork = Callable[[Container], Callable[[], Awaitable[object]]]
SCHEDULED: dict[str, tuple[str, ScheduledWork]] = {}
"""Cron jobs by name: `(settings field holding the cron expression, work)`. A context adds
its own with `schedule(...)` (analytics adds the daily recompute)."""


def schedule(name: str, cron_setting: str, work: ScheduledWork) -> None:
    SCHEDULED[name] = (cron_setting, work)


schedule("analytics-recompute", "analytics_cron", daily_recompute)
schedule("assets-sweep", "assets_sweep_cron", sweep_abandoned_uploads)


class Worker:
    def __init__(self, container: Container) -> None:
        self._container = container
        settings = container.settings()
        self._periodic = [
            PeriodicJob("outbox-relay", lambda: container.relay().drain(), RELAY_SECONDS),
            PeriodicJob(
                "expire-reservations",
                lambda: container.orders().expire_overdue(),
                RESERVATION_SWEEP_SECONDS,
            ),
            PeriodicJob(
                "reconcile-stream-viewers",
                lambda: container.stream_rooms().reconcile(),
                settings.stream_reconcile_seconds,
            ),
            PeriodicJob(
                "mail-retry", lambda: container.mail_delivery().retry_due(), MAIL_RETRY_SECONDS
            ),
            PeriodicJob(
                "resume-abandoned-recompute",
                resume_abandoned_recompute(container),
                settings.analytics_job_lease_seconds / 2,
            ),
        ]
        self._scheduled = [
            CronJob(name, work(container), getattr(settings, field), settings.scheduler_timezone)
            for name, (field, work) in SCHEDULED.items()
        ]

    async def start(self) -> None:
        """Subscribe the consumers and start the jobs (the container is already started)."""
        await register_consumers(self._container, known_consumers())
        for job in self._jobs():
            job.start()

    async def stop(self) -> None:
        for job in self._jobs():
            await job.stop()

    def _jobs(self) -> list[PeriodicJob | CronJob]:
        return [*self._periodic, *self._scheduled]


async def run_worker(container: Container, stopping: asyncio.Event | None = None) -> None:
    """Run until `stopping` is set, or SIGINT/SIGTERM: the `showgeo worker` process."""
    stopping = stopping or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    await start(container)
    worker = Worker(container)
    try:
        await worker.start()
        log.info("worker running: relay, %d consumers", len(known_consumers()))
        await stopping.wait()
    finally:
        await worker.stop()
        await stop(container)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
