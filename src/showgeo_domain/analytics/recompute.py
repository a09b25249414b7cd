"""The full recompute: summaries, normalised scores and entity neighbours, from scratch.

Stages, each in short transactions of its own (so SQLite writers are not locked out for the
whole run): the store aggregates every scope's metrics with GROUP BY; normalised scores are
computed over all entities in chunks; the interaction matrix is read a chunk of users at a
time and its entity neighbours computed a chunk of entities at a time (memory stays bounded);
the new neighbour set becomes current at the end, in one commit with the day's
`recomputed` mark. Progress is written to the job row as it goes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date
from uuid import UUID

import numpy as np
import numpy.typing as npt

from showgeo_domain.analytics.errors import JobNotFound
from showgeo_domain.analytics.jobs import JobTrigger, RecomputeJob
from showgeo_domain.analytics.score import ScoreWeights, normalised_scores
from showgeo_domain.analytics.summaries import Metric, Scope
from showgeo_domain.analytics.vectors import InteractionWeights, MatrixBuilder, entity_neighbours
from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory

log = logging.getLogger("showgeo.analytics")

Progress = Callable[[RecomputeJob], Awaitable[None] | None]


class Recompute:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        *,
        weights: ScoreWeights | None = None,
        interaction_weights: InteractionWeights | None = None,
        top_k: int = 20,
        user_chunk: int = 50_000,
        entity_chunk: int = 2_000,
        score_chunk: int = 10_000,
        write_chunk: int = 10_000,
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

    async def request(
        self, trigger: JobTrigger, requested_by: UUID | None = None
    ) -> tuple[RecomputeJob, bool]:
        """Queue a job; `(the running job, False)` when one is already active. A job whose
        process died (no heartbeat for `STALE_AFTER`) is marked FAILED and replaced."""
        now = self._clock.now()
        async with self._uow() as uow:
            active = await uow.analytics.active_job()
            if active is not None and active.is_stale(now):
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
        """Run a queued job to the end; a failure is recorded on the job, then re-raised."""
        async with self._uow() as uow:
            job = await uow.analytics.get_job(job_id)
            if job is None:
                raise JobNotFound(f"no recompute job {job_id}")
            job.start(self._clock.now())
            await uow.analytics.save_job(job)
            await uow.commit()
        try:
            await self._run(job, on_progress)
        except asyncio.CancelledError:
            job.fail("interrupted: the process running it stopped", self._clock.now())
            await self._save(job)
            raise
        except Exception as exc:
            log.exception("analytics recompute %s failed", job.id)
            job.fail(f"{type(exc).__name__}: {exc}", self._clock.now())
            await self._save(job)
            raise
        job.succeed(self._clock.now())
        await self._save(job)
        await _notify(on_progress, job)
        return job

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
                await uow.commit()
        await step("normalising scores", 0.2)
        await self._normalise(day)
        await step("building interaction vectors", 0.3)
        generation = await self._neighbours(step)
        await step("publishing", 0.97)
        async with self._uow() as uow:
            await uow.analytics.mark_recomputed(day, generation)
            await uow.commit()

    async def _normalise(self, day: date) -> None:
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
                await uow.commit()

    async def _neighbours(self, step: Callable[[str, float], Awaitable[None]]) -> int:
        async with self._uow() as uow:
            entity_ids = await uow.analytics.entity_ids()
            users = max(await uow.analytics.user_count(), 1)
            generation = await uow.analytics.neighbours_generation() + 1
            await uow.analytics.clear_neighbours(generation)
            await uow.commit()
        builder = MatrixBuilder(entity_ids, self._interaction_weights)
        after: UUID | None = None
        seen = 0
        while True:
            async with self._uow() as uow:
                chunk = await uow.analytics.interaction_chunk(after, self._user_chunk)
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
                    await uow.commit()
            done = part.done / max(len(entity_ids), 1)
            await step("computing similarities", 0.6 + 0.35 * done)
        return generation

    async def _save(self, job: RecomputeJob) -> None:
        async with self._uow() as uow:
            await uow.analytics.save_job(job)
            await uow.commit()


async def _notify(on_progress: Progress | None, job: RecomputeJob) -> None:
    if on_progress is None:
        return
    result = on_progress(job)
    if result is not None:
        await result
