"""A recompute's lease on every backend: a job whose process died is taken over and run
again to the end; one abandoned too often fails for good; a run whose job was taken over
writes nothing more; a healthy run's heartbeat keeps its lease through a long stage.
(tests/e2e/test_worker_kill.py does it with real processes and SIGKILL.)"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.analytics.jobs import DEFAULT_LEASE, MAX_ATTEMPTS, JobStatus, JobTrigger
from showgeo_domain.analytics.recompute import Recompute, RecomputeJob
from showgeo_domain.analytics.services import Analytics
from showgeo_domain.analytics.summaries import PLATFORM_ID, Metric, Scope, series
from showgeo_domain.identity.model import Actor
from showgeo_domain.shared.clock import SystemClock
from tests.contract.builders import a_user, an_entity, store

LATE = DEFAULT_LEASE + timedelta(seconds=1)


async def _fans(uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock) -> Actor:
    """Three people follow two clubs alike, a fourth one of them: the recompute has
    something to count and neighbours to find. Returns the fourth."""
    people = [a_user(clock, name) for name in ("ana", "bea", "cid", "dan")]
    clubs = [an_entity(clock, f"club-{n}") for n in (1, 2)]
    await store(uow_factory, users=people, entities=clubs)
    async with uow_factory() as uow:
        for person in people[:3]:
            for club in clubs:
                await uow.follows.add(person.id, club.id, clock.tick())
        await uow.follows.add(people[3].id, clubs[0].id, clock.tick())
        await uow.commit()
    return Actor(people[3].id)


async def _stored(uow_factory: PlatformUnitOfWorkFactory, job: RecomputeJob) -> RecomputeJob:
    async with uow_factory() as uow:
        found = await uow.analytics.get_job(job.id)
    assert found is not None
    return found


async def _follows_today(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> tuple[int, int]:
    day = clock.now().date()
    async with uow_factory() as uow:
        rows, recomputed = await uow.analytics.metric_rows(Scope.PLATFORM, PLATFORM_ID, day, day)
    return series(rows, recomputed, day, day)[0].count(Metric.FOLLOWS), len(recomputed)


async def test_an_abandoned_job_is_taken_over_and_finished(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    dan = await _fans(uow_factory, clock)
    recompute = Recompute(uow_factory, clock)
    queued, _ = await recompute.request(JobTrigger.API)  # the process that queued it died
    assert await recompute.resume_abandoned() is None  # still within its lease
    clock.advance(LATE)
    resumed = await recompute.resume_abandoned()
    assert resumed is not None
    assert resumed.id == queued.id
    stored = await _stored(uow_factory, queued)
    assert (stored.status, stored.attempts, stored.progress) == (JobStatus.SUCCEEDED, 2, 1.0)
    assert await _follows_today(uow_factory, clock) == (7, 1)
    picks = await Analytics(uow_factory, clock, recompute).recommended_entities(dan, limit=1)
    assert [p.reason for p in picks] == ["similar"]
    clock.advance(LATE)
    assert await recompute.resume_abandoned() is None  # nothing active any more


async def test_a_job_abandoned_too_often_fails_for_good(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    recompute = Recompute(uow_factory, clock)
    job, _ = await recompute.request(JobTrigger.SCHEDULE)
    for _ in range(MAX_ATTEMPTS - 1):  # each run killed before its first heartbeat
        async with uow_factory() as uow:
            active = await uow.analytics.active_job()
            assert active is not None
            seen = active.attempts
            assert active.take_over(clock.now())
            assert await uow.analytics.save_job(active, attempt=seen)
            await uow.commit()
        clock.advance(LATE)
    failed = await recompute.resume_abandoned()
    assert failed is not None
    stored = await _stored(uow_factory, job)
    assert stored.status is JobStatus.FAILED
    assert stored.attempts == MAX_ATTEMPTS
    assert stored.error is not None
    assert "abandoned 3 times" in stored.error
    again, created = await recompute.request(JobTrigger.API)  # a new request may run
    assert created
    assert again.id != job.id


async def test_a_run_whose_job_was_taken_over_writes_nothing_more(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    """Run A stalls (a frozen process) past its lease half-way; a worker takes the job over
    and finishes it; when A wakes up its next write is refused and it stops."""
    await _fans(uow_factory, clock)
    recompute = Recompute(uow_factory, clock, user_chunk=1)
    taken_over: list[RecomputeJob | None] = []

    async def stall(job: RecomputeJob) -> None:
        if job.stage == "building interaction vectors" and not taken_over:
            clock.advance(LATE)
            taken_over.append(await Recompute(uow_factory, clock).resume_abandoned())

    first, _ = await recompute.request(JobTrigger.CLI)
    stale_run = await recompute.run(first.id, on_progress=stall)
    assert taken_over
    assert taken_over[0] is not None
    assert taken_over[0].status is JobStatus.SUCCEEDED
    assert stale_run.status is JobStatus.RUNNING  # A gave up without writing an outcome
    stored = await _stored(uow_factory, first)
    assert (stored.status, stored.attempts) == (JobStatus.SUCCEEDED, 2)
    assert await _follows_today(uow_factory, clock) == (7, 1)


async def test_a_heartbeat_keeps_a_long_stage_leased(
    uow_factory: PlatformUnitOfWorkFactory,
) -> None:
    lease = timedelta(seconds=0.4)
    recompute = Recompute(uow_factory, SystemClock(), lease=lease)
    watcher = Recompute(uow_factory, SystemClock(), lease=lease)
    claims: list[RecomputeJob | None] = []

    async def slow_stage(job: RecomputeJob) -> None:
        if job.stage.startswith("aggregating entities"):
            await asyncio.sleep(0.7)  # longer than the lease: only heartbeats keep it
            claims.append(await watcher.resume_abandoned())

    job, _ = await recompute.request(JobTrigger.CLI)
    done = await recompute.run(job.id, on_progress=slow_stage)
    assert claims == [None]
    assert (done.status, done.attempts) == (JobStatus.SUCCEEDED, 1)


async def test_a_late_launch_of_a_job_a_worker_took_over_does_not_run_it_twice(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    recompute = Recompute(uow_factory, clock)
    job, _ = await recompute.request(JobTrigger.API)
    clock.advance(LATE)
    assert await recompute.resume_abandoned() is not None  # a worker ran it: attempt 2
    late = await recompute.run(job.id)  # the API process's launch, long overdue
    assert (late.status, late.attempts) == (JobStatus.SUCCEEDED, 2)
    assert (await _stored(uow_factory, job)).attempts == 2
