"""The full recompute: summaries, normalised scores and entity neighbours, from scratch.

Stages, each in short transactions of its own (so SQLite writers are not locked out for the
whole run): the store aggregates every scope's metrics with GROUP BY; normalised scores are
computed over all entities in chunks; the interaction matrix is read a chunk of users at a
time and its entity neighbours computed a chunk of entities at a time (memory stays bounded);
the new neighbour set becomes current at the end, in one commit with the day's
`recomputed` mark. Progress is written to the job row as it goes.

A run holds the job's lease (see `jobs`): a heartbeat task renews it while any stage works.
If the process dies, `resume_abandoned` (the worker calls it every half lease) takes the job
over once the lease has run out and runs it again from the start; a run that finds its job
taken over stops at its next write (`JobTakenOver`). Every stage replaces what it writes (the
day's metric rows, the normalised scores, the neighbour set being built, which is cleared
first), and readers only see a new neighbour set and the day's `recomputed` mark when the last
commit publishes them, so a killed run leaves nothing half-written once a run completes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta
from uuid import UUID

import numpy as np
import numpy.typing as npt

from showgeo_domain.analytics.errors import JobNotFound
from showgeo_domain.analytics.jobs import DEFAULT_LEASE, JobStatus, JobTrigger, RecomputeJob
from showgeo_domain.analytics.ports import AnalyticsUnitOfWork
from showgeo_domain.analytics.score import ScoreWeights, normalised_scores
from showgeo_domain.analytics.summaries import Metric, Scope
from showgeo_domain.analytics.vectors import (
    EntityColumns,
    InteractionWeights,
    MatrixBuilder,
    entity_neighbours,
)
from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory

log = logging.getLogger("showgeo.analytics")

Progress = Callable[[RecomputeJob], Awaitable[None] | None]


class JobTakenOver(Exception):
    """This run's lease ran out and another run owns the job now: stop, write nothing more."""


class Recompute:
    def __init__(
        self,
        uow: UnitOfWorkFactory[AnalyticsUnitOfWork],
        clock: Clock,
        *,
        weights: ScoreWeights | None = None,
        interaction_weights: InteractionWeights | None = None,
        top_k: int = 20,
        user_chunk: int = 50_000,
        entity_chunk: int = 2_000,
        score_chunk: int = 10_000,
        write_chunk: int = 10_000,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._weights = weights or ScoreWeights()
        self._interaction_weights = interaction_weights or InteractionWeights()
        self._top_k = top_k
        self._user_chunk = user_chunk
        self._entity_chunk = entity_chunk
        self._score_chunk = score_chunk
        self._write_chunk = write_chunk
        self.lease = lease

    async def request(
        self, trigger: JobTrigger, requested_by: UUID | None = None
    ) -> tuple[RecomputeJob, bool]:
        """Queue a job; `(the running job, False)` when one is already active. A job whose
        process died (no heartbeat for a lease) is marked FAILED and replaced."""
        now = self._clock.now()
        async with self._uow() as uow:
            active = await uow.analytics.active_job()
            if active is not None and active.is_stale(now, self.lease):
                active.fail("abandoned: no progress reported", now)
                await uow.analytics.save_job(active)
            job = RecomputeJob.queue(trigger, requested_by, now)
            stored = await uow.analytics.add_job(job)
            await uow.commit()
            return stored, stored.id == job.id

    async def run_now(
        self, trigger: JobTrigger, on_progress: Progress | None = None
    ) -> tuple[RecomputeJob, bool]:
        """Queue and run a job here (CLI, schedule); `(running job, False)` if one is active."""
        job, created = await self.request(trigger)
        if not created:
            return job, False
        return await self.run(job.id, on_progress), True

    async def run(self, job_id: UUID, on_progress: Progress | None = None) -> RecomputeJob:
        """Run a queued job to the end; a failure is recorded on the job, then re-raised.
        A job no longer QUEUED (a worker took it over meanwhile) is returned as it is."""
        async with self._uow() as uow:
            job = await uow.analytics.get_job(job_id)
            if job is None:
                raise JobNotFound(f"no recompute job {job_id}")
            if job.status is not JobStatus.QUEUED:
                return job
            job.start(self._clock.now())
            if not await uow.analytics.save_job(job):
                return job
            await uow.commit()
        return await self._execute(job, on_progress)

    async def resume_abandoned(self) -> RecomputeJob | None:
        """Take over the active job if its lease ran out (its process died) and run it again
        from the start, here; or fail it for good after `MAX_ATTEMPTS`. Returns the job it
        dealt with (None: nothing abandoned, or another worker claimed it first)."""
        now = self._clock.now()
        async with self._uow() as uow:
            job = await uow.analytics.active_job()
            if job is None or not job.is_stale(now, self.lease):
                return None
            seen = job.attempts
            again = job.take_over(now)
            if not await uow.analytics.save_job(job, attempt=seen):
                return None  # another worker was faster
            await uow.commit()
        if not again:
            log.error("analytics recompute %s failed for good: %s", job.id, job.error)
            return job
        log.warning(
            "analytics recompute %s was abandoned; running it again (attempt %d)",
            job.id,
            job.attempts,
        )
        return await self._execute(job, None)

    async def _execute(self, job: RecomputeJob, on_progress: Progress | None) -> RecomputeJob:
        try:
            async with self._heartbeat(job):
                await self._run(job, on_progress)
        except JobTakenOver:
            log.warning("analytics recompute %s was taken over by another run", job.id)
            return job
        except asyncio.CancelledError:
            job.fail("interrupted: the process running it stopped", self._clock.now())
            await self._save(job, check=False)
            raise
        except Exception as exc:
            log.exception("analytics recompute %s failed", job.id)
            job.fail(f"{type(exc).__name__}: {exc}", self._clock.now())
            await self._save(job, check=False)
            raise
        job.succeed(self._clock.now())
        if not await self._save(job, check=False):
            log.warning("analytics recompute %s was taken over as it finished", job.id)
            return job
        await _notify(on_progress, job)
        return job

    @contextlib.asynccontextmanager
    async def _heartbeat(self, job: RecomputeJob) -> AsyncIterator[None]:
        """Renew the job's lease every quarter lease while the body runs, whatever it does;
        stop renewing once the job is found taken over (the next stage write raises)."""

        async def beat() -> None:
            period = self.lease.total_seconds() / 4
            while True:
                await asyncio.sleep(period)
                job.beat(self._clock.now())
                try:
                    if not await self._save(job, check=False):
                        return
                except Exception:  # a database blip: the next beat tries again
                    log.warning("heartbeat of recompute %s failed", job.id, exc_info=True)

        task = asyncio.create_task(beat(), name=f"analytics-heartbeat-{job.id}")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, job: RecomputeJob, on_progress: Progress | None) -> None:
        started = self._clock.now()
        day = started.date()
        async with self._uow() as uow:
            await uow.analytics.mark_started(day, started)
            await uow.commit()

        async def step(stage: str, progress: float) -> None:
            job.advance(stage, progress, self._clock.now())
            await self._save(job)
            await _notify(on_progress, job)

        scopes = [
            ("entities", "refresh_entity_metrics"),
            ("events", "refresh_event_metrics"),
            ("users", "refresh_user_metrics"),
            ("platform", "refresh_platform_metrics"),
        ]
        for i, (name, method) in enumerate(scopes):
            await step(f"aggregating {name}", 0.05 * i)
            async with self._uow() as uow:
                await getattr(uow.analytics, method)(day)
                await _commit_fenced(uow, job)
        await step("normalising scores", 0.2)
        await self._normalise(job, day)
        await step("building interaction vectors", 0.3)
        generation = await self._neighbours(job, step)
        await step("publishing", 0.97)
        async with self._uow() as uow:
            await uow.analytics.mark_recomputed(day, generation)
            await _commit_fenced(uow, job)

    async def _normalise(self, job: RecomputeJob, day: date) -> None:
        """All entities' inputs in chunks into one array (100k entities x 5 floats is 4 MB),
        scores in one vector operation, written back in chunks."""
        ids: list[UUID] = []
        blocks: list[npt.NDArray[np.float64]] = []
        after: UUID | None = None
        while True:
            async with self._uow() as uow:
                rows = await uow.analytics.score_inputs(day, after, self._score_chunk)
            if not rows:
                break
            ids.extend(entity_id for entity_id, _ in rows)
            blocks.append(np.array([inputs.as_array() for _, inputs in rows]))
            after = rows[-1][0]
        if not ids:
            return
        scores = normalised_scores(np.vstack(blocks), self._weights)
        metric = Metric.NORMALISED_SCORE.value
        for start in range(0, len(ids), self._write_chunk):
            chunk = [
                (ids[i], metric, float(scores[i]))
                for i in range(start, min(start + self._write_chunk, len(ids)))
            ]
            async with self._uow() as uow:
                await uow.analytics.write_metrics(Scope.ENTITY, day, chunk)
                await _commit_fenced(uow, job)

    async def _neighbours(
        self, job: RecomputeJob, step: Callable[[str, float], Awaitable[None]]
    ) -> int:
        async with self._uow() as uow:
            entity_ids = await uow.analytics.entity_ids()
            users = max(await uow.analytics.user_count(), 1)
            generation = await uow.analytics.neighbours_generation() + 1
            await uow.analytics.clear_neighbours(generation)
            await _commit_fenced(uow, job)
        columns = EntityColumns(entity_ids)
        builder = MatrixBuilder(len(columns), self._interaction_weights)
        after: UUID | None = None
        seen = 0
        while True:
            async with self._uow() as uow:
                chunk = await uow.analytics.interaction_chunk(after, self._user_chunk, columns)
            if chunk.last_user is None:
                break
            builder.add_chunk(chunk)
            after = chunk.last_user
            seen += self._user_chunk
            await step("building interaction vectors", 0.3 + 0.3 * min(1.0, seen / users))
        matrix = builder.build()
        await step("computing similarities", 0.6)
        for part in entity_neighbours(matrix, top_k=self._top_k, chunk=self._entity_chunk):
            rows = [
                (entity_ids[s], entity_ids[t], float(v))
                for s, t, v in zip(
                    part.sources.tolist(), part.targets.tolist(), part.similarity, strict=True
                )
            ]
            for start in range(0, len(rows), self._write_chunk):
                async with self._uow() as uow:
                    await uow.analytics.add_neighbours(
                        generation, rows[start : start + self._write_chunk]
                    )
                    await _commit_fenced(uow, job)
            done = part.done / max(len(entity_ids), 1)
            await step("computing similarities", 0.6 + 0.35 * done)
        return generation

    async def _save(self, job: RecomputeJob, *, check: bool = True) -> bool:
        """Write the job's state under its lease; a run fenced off by a takeover raises
        `JobTakenOver` (or, with `check=False`, gets False)."""
        async with self._uow() as uow:
            saved = await uow.analytics.save_job(job)
            await uow.commit()
        if not saved and check:
            raise JobTakenOver(str(job.id))
        return saved


async def _commit_fenced(uow: AnalyticsUnitOfWork, job: RecomputeJob) -> None:
    """Every write of a run commits in a transaction that also renews its lease: a run whose
    job was taken over writes nothing (the transaction is left uncommitted, so rolled back).

    The job row is written last, just before the commit, not first: on PostgreSQL writing it
    locks it until the commit, and a stage that held it from its start (aggregates take
    minutes at a million users) kept the heartbeat waiting that long, so the lease ran out
    under a live run and the worker took its own job over. Written last, the row is held
    for an instant; a takeover that commits first still fences the whole stage off, and one
    that comes after finds the stage done and the next one fenced."""
    if not await uow.analytics.save_job(job):
        raise JobTakenOver(str(job.id))
    await uow.commit()


async def _notify(on_progress: Progress | None, job: RecomputeJob) -> None:
    if on_progress is None:
        return
    result = on_progress(job)
    if result is not None:
        await result
