"""Analytics on SQL: aggregates inserted with `INSERT … SELECT … GROUP BY` (see
`analytics_queries`), metric reads, one-statement counter upserts, interaction chunks,
neighbour sets and the single-active-job rule (UNIQUE `active_slot`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Date,
    String,
    delete,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from showgeo_adapters.sqlalchemy.repositories._base import SqlRepository
from showgeo_adapters.sqlalchemy.repositories.analytics_queries import (
    Aggregate,
    dashboard_rows,
    entity_aggregates,
    event_aggregates,
    interactions,
    one_user,
    platform_aggregates,
    user_aggregates,
    users_between,
)
from showgeo_adapters.sqlalchemy.repositories.events import event_of
from showgeo_adapters.sqlalchemy.tables import (
    analytics_jobs,
    analytics_metrics,
    analytics_neighbours,
    entities,
    events,
    follows,
    memberships,
    users,
)
from showgeo_domain.analytics.dashboard import DashboardRows
from showgeo_domain.analytics.jobs import JobStatus, JobTrigger, RecomputeJob
from showgeo_domain.analytics.score import ScoreInputs
from showgeo_domain.analytics.summaries import PLATFORM_ID, Metric, MetricRow, Scope, Snapshot
from showgeo_domain.analytics.vectors import EntityColumns, Interaction, InteractionChunk
from showgeo_domain.events.model import Event, EventPhase

m = analytics_metrics
n = analytics_neighbours
ACTIVE_SLOT = "recompute"
_KEPT = (
    Metric.RECOMPUTED.value,
    Metric.RECOMPUTE_STARTED_AT.value,
    Metric.NEIGHBOURS_GENERATION.value,
)
"""Platform rows that record recomputes, not aggregates: kept when a scope is replaced."""
_SCORE_METRICS = (
    Metric.FOLLOWERS.value,
    Metric.VIEWERS.value,
    Metric.TICKETS_SOLD.value,
    Metric.NOTIFICATIONS_SENT.value,
)
EPOCH = date(1970, 1, 1)
WORK_MEM = "256MB"


def _last_recompute(on_or_before: Any) -> ColumnElement[Any]:
    recomputes = m.alias("recomputes")
    return (
        select(func.max(recomputes.c.day))
        .where(
            recomputes.c.scope == Scope.PLATFORM.value,
            recomputes.c.subject_id == PLATFORM_ID,
            recomputes.c.metric == Metric.RECOMPUTED.value,
            recomputes.c.day <= on_or_before,
        )
        .scalar_subquery()
    )


def _job(row: Any) -> RecomputeJob:
    return RecomputeJob(
        id=row.id,
        trigger=JobTrigger(row.trigger),
        status=JobStatus(row.status),
        created_at=row.created_at,
        heartbeat_at=row.heartbeat_at,
        requested_by=row.requested_by,
        progress=row.progress,
        stage=row.stage,
        started_at=row.started_at,
        finished_at=row.finished_at,
        error=row.error,
        attempts=row.attempts,
    )


def _job_values(job: RecomputeJob) -> dict[str, Any]:
    return {
        "trigger": job.trigger.value,
        "status": job.status.value,
        "active_slot": ACTIVE_SLOT if job.status.is_active else None,
        "progress": job.progress,
        "stage": job.stage[:100],
        "requested_by": job.requested_by,
        "created_at": job.created_at,
        "heartbeat_at": job.heartbeat_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "error": job.error,
        "attempts": job.attempts,
    }


class SqlAnalyticsRepository(SqlRepository):
    # --- recompute -------------------------------------------------------------------------

    async def _work_mem(self) -> None:
        """Room for the big GROUP BYs and hashes to stay in memory (PostgreSQL's default of
        4 MB spills them to disk), for this transaction only."""
        if self._dialect == "postgresql":
            await self._conn.exec_driver_sql(f"SET LOCAL work_mem = '{WORK_MEM}'")

    async def _replace(self, scope: Scope, day: date, aggregates: list[Aggregate]) -> None:
        await self._work_mem()
        await self._conn.execute(
            delete(m).where(m.c.scope == scope.value, m.c.day == day, m.c.metric.not_in(_KEPT))
        )
        for aggregate in aggregates:
            source = aggregate.subquery("aggregate")
            rows = select(
                literal(scope.value, String),
                source.c.subject_id,
                source.c.metric,
                literal(day, Date),
                source.c.value,
            ).where(source.c.value != 0)
            columns = ["scope", "subject_id", "metric", "day", "value"]
            insert = self._dialect_insert(m)
            upsert = insert.from_select(columns, rows).on_conflict_do_update(
                index_elements=[m.c.scope, m.c.subject_id, m.c.metric, m.c.day],
                set_={"value": insert.excluded.value},
            )
            if self._dialect == "postgresql":
                await self._insert_or_upsert(
                    insert.from_select(columns, rows.order_by(source.c.subject_id)), upsert
                )
            else:  # SQLite's writer holds the database from the DELETE on: nobody can clash.
                # The WHERE above keeps SQLite's parser from reading ON CONFLICT as a join.
                await self._conn.execute(upsert)

    async def _insert_or_upsert(self, insert: Any, upsert: Any) -> None:
        """A plain INSERT, in key order (B-tree pages filled one after the other instead of
        at random, which counts once the metrics index outgrows shared buffers), without
        ON CONFLICT's speculative insertion per row. A consumer may have added one of the
        day's rows since the DELETE (each statement reads its own snapshot): then the
        statement is undone to its savepoint and done again as an upsert, the aggregate
        winning."""
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(insert)
        except IntegrityError:
            await self._conn.execute(upsert)

    async def _analyze(self) -> None:
        """Fresh statistics after a bulk replace, so the next reads get sane plans."""
        if self._dialect == "postgresql":
            await self._conn.exec_driver_sql("ANALYZE analytics_metrics")

    async def refresh_entity_metrics(self, day: date) -> None:
        await self._replace(Scope.ENTITY, day, entity_aggregates(self._dialect))

    async def refresh_event_metrics(self, day: date) -> None:
        await self._replace(Scope.EVENT, day, event_aggregates(self._dialect))

    async def refresh_user_metrics(self, day: date) -> None:
        await self._replace(Scope.USER, day, user_aggregates(self._dialect))

    async def refresh_platform_metrics(self, day: date) -> None:
        await self._replace(Scope.PLATFORM, day, platform_aggregates(self._dialect))
        await self._analyze()

    async def score_inputs(
        self, day: date, after: UUID | None, limit: int
    ) -> list[tuple[UUID, ScoreInputs]]:
        """Two queries (the chunk's ids, then their rows): a planner working from statistics
        older than the recompute's fresh rows nests loops over an `IN (subquery)`."""
        of_day = [m.c.scope == Scope.ENTITY.value, m.c.day == day]
        chosen = select(m.c.subject_id).where(*of_day).distinct()
        if after is not None:
            chosen = chosen.where(m.c.subject_id > after)
        chosen = chosen.order_by(m.c.subject_id).limit(limit)
        ids = list((await self._conn.execute(chosen)).scalars())
        if not ids:
            return []
        query = select(m.c.subject_id, m.c.metric, m.c.value).where(
            *of_day,
            m.c.subject_id.in_(ids),
            or_(
                m.c.metric.in_(_SCORE_METRICS),
                m.c.metric.like(f"{Metric.STORE_REVENUE.value}.%"),
                m.c.metric.like(f"{Metric.PAID_ORDERS.value}.%"),
            ),
        )
        values: dict[UUID, dict[str, float]] = defaultdict(dict)
        for row in await self._conn.execute(query):
            values[row.subject_id][row.metric] = row.value
        return [(s, Snapshot(day, values.get(s, {})).score_inputs()) for s in ids]

    async def write_metrics(
        self, scope: Scope, day: date, values: Sequence[tuple[UUID, str, float]]
    ) -> None:
        if not values:
            return
        insert = self._dialect_insert(m)
        await self._conn.execute(
            insert.on_conflict_do_update(
                index_elements=[m.c.scope, m.c.subject_id, m.c.metric, m.c.day],
                set_={"value": insert.excluded.value},
            ),
            [
                {"scope": scope.value, "subject_id": s, "metric": k, "day": day, "value": v}
                for s, k, v in values
            ],
        )

    async def increment(
        self, scope: Scope, subject_id: UUID, metric: str, delta: float, day: date
    ) -> None:
        """One upsert: a new row of the day starts from the subject's latest value since the
        last recompute (0 without one), an existing row just adds."""
        previous = m.alias("previous")
        carried = (
            select(previous.c.value)
            .where(
                previous.c.scope == scope.value,
                previous.c.subject_id == subject_id,
                previous.c.metric == metric,
                previous.c.day < day,
                previous.c.day >= func.coalesce(_last_recompute(day), EPOCH),
            )
            .order_by(previous.c.day.desc())
            .limit(1)
            .scalar_subquery()
        )
        insert = self._dialect_insert(m).values(
            scope=scope.value,
            subject_id=subject_id,
            metric=metric,
            day=day,
            value=func.coalesce(carried, 0.0) + delta,
        )
        await self._conn.execute(
            insert.on_conflict_do_update(
                index_elements=[m.c.scope, m.c.subject_id, m.c.metric, m.c.day],
                set_={"value": m.c.value + delta},
            )
        )

    async def mark_started(self, day: date, at: datetime) -> None:
        metric = Metric.RECOMPUTE_STARTED_AT.value
        await self.write_metrics(Scope.PLATFORM, day, [(PLATFORM_ID, metric, at.timestamp())])

    async def counted_until(self) -> datetime | None:
        query = select(func.max(m.c.value)).where(
            m.c.scope == Scope.PLATFORM.value,
            m.c.subject_id == PLATFORM_ID,
            m.c.metric == Metric.RECOMPUTE_STARTED_AT.value,
        )
        found = (await self._conn.execute(query)).scalar_one_or_none()
        return datetime.fromtimestamp(found, UTC) if found is not None else None

    async def mark_recomputed(self, day: date, generation: int) -> None:
        await self.write_metrics(
            Scope.PLATFORM,
            day,
            [
                (PLATFORM_ID, Metric.RECOMPUTED.value, 1.0),
                (PLATFORM_ID, Metric.NEIGHBOURS_GENERATION.value, float(generation)),
            ],
        )
        await self._conn.execute(delete(n).where(n.c.generation != generation))

    # --- vectors ---------------------------------------------------------------------------

    async def entity_ids(self) -> list[UUID]:
        return list(
            (await self._conn.execute(select(entities.c.id).order_by(entities.c.id))).scalars()
        )

    async def user_count(self) -> int:
        return int((await self._conn.execute(select(func.count()).select_from(users))).scalar_one())

    async def interaction_chunk(
        self, after: UUID | None, users_per_chunk: int, columns: EntityColumns
    ) -> InteractionChunk:
        window = select(users.c.id)
        if after is not None:
            window = window.where(users.c.id > after)
        window_sq = window.order_by(users.c.id).limit(users_per_chunk).subquery()
        # PostgreSQL has no max(uuid): the last of the window, by ordering.
        last = select(window_sq.c.id).order_by(window_sq.c.id.desc()).limit(1)
        high = (await self._conn.execute(last)).scalar_one_or_none()
        if high is None:
            return InteractionChunk.empty()
        await self._work_mem()
        return await self._chunk_between(after, high, columns)

    async def _chunk_between(
        self, after: UUID | None, high: UUID, columns: EntityColumns
    ) -> InteractionChunk:
        """The pairs of users `after < id <= high`, as rows."""
        summed = interactions(users_between(after, high), self._dialect).subquery()
        rows = await self._conn.execute(select(summed))
        pairs = [
            (
                r.user_id,
                r.entity_id,
                Interaction(
                    follows=r.follows,
                    tickets=r.tickets,
                    units=r.units,
                    watch_seconds=r.watch_seconds,
                ),
            )
            for r in rows
        ]
        return InteractionChunk.from_pairs(columns, pairs, high)

    async def neighbours_generation(self) -> int:
        query = (
            select(m.c.value)
            .where(
                m.c.scope == Scope.PLATFORM.value,
                m.c.subject_id == PLATFORM_ID,
                m.c.metric == Metric.NEIGHBOURS_GENERATION.value,
            )
            .order_by(m.c.day.desc())
            .limit(1)
        )
        found = (await self._conn.execute(query)).scalar_one_or_none()
        return round(found) if found is not None else 0

    async def clear_neighbours(self, generation: int) -> None:
        await self._conn.execute(delete(n).where(n.c.generation == generation))

    async def add_neighbours(
        self, generation: int, rows: Sequence[tuple[UUID, UUID, float]]
    ) -> None:
        """One multi-row INSERT."""
        if not rows:
            return
        await self._conn.execute(
            n.insert(),
            [
                {"generation": generation, "entity_id": e, "neighbour_id": nb, "similarity": s}
                for e, nb, s in rows
            ],
        )

    # --- reading ---------------------------------------------------------------------------

    async def metric_rows(
        self, scope: Scope, subject_id: UUID, start: date, end: date
    ) -> tuple[list[MetricRow], list[date]]:
        since = (await self._conn.execute(select(_last_recompute(start)))).scalar_one_or_none()
        lower = since or EPOCH
        rows = await self._conn.execute(
            select(m.c.day, m.c.metric, m.c.value)
            .where(
                m.c.scope == scope.value,
                m.c.subject_id == subject_id,
                m.c.day >= lower,
                m.c.day <= end,
            )
            .order_by(m.c.day, m.c.metric)
        )
        recomputed = await self._conn.execute(
            select(m.c.day)
            .where(
                m.c.scope == Scope.PLATFORM.value,
                m.c.subject_id == PLATFORM_ID,
                m.c.metric == Metric.RECOMPUTED.value,
                m.c.day >= lower,
                m.c.day <= end,
            )
            .order_by(m.c.day)
        )
        return [MetricRow(r.day, r.metric, r.value) for r in rows], list(recomputed.scalars())

    async def dashboard_rows(self, entity_id: UUID, start: date, end: date) -> DashboardRows:
        found = DashboardRows()
        for r in await self._conn.execute(dashboard_rows(entity_id, start, end)):
            row = MetricRow(r.day, r.metric, r.value)
            if r.scope == Scope.ENTITY.value:
                found.entity.append(row)
            elif r.scope == Scope.EVENT.value:
                found.events.setdefault(r.subject_id, []).append(row)
            else:
                found.recomputed.append(r.day)
        return found

    async def interactions_of(self, user_id: UUID) -> dict[UUID, Interaction]:
        rows = await self._conn.execute(interactions(one_user(user_id), self._dialect))
        return {
            r.entity_id: Interaction(
                follows=r.follows, tickets=r.tickets, units=r.units, watch_seconds=r.watch_seconds
            )
            for r in rows
        }

    async def followed_or_joined(self, user_id: UUID) -> set[UUID]:
        query = (
            select(follows.c.entity_id)
            .where(follows.c.user_id == user_id)
            .union(select(memberships.c.entity_id).where(memberships.c.user_id == user_id))
        )
        return set((await self._conn.execute(query)).scalars())

    async def neighbour_vectors(self, near: Collection[UUID]) -> dict[UUID, dict[UUID, float]]:
        generation = await self.neighbours_generation()
        if generation == 0 or not near:
            return {}
        sources = (
            select(n.c.entity_id)
            .where(n.c.generation == generation, n.c.neighbour_id.in_(list(near)))
            .scalar_subquery()
        )
        rows = await self._conn.execute(
            select(n.c.entity_id, n.c.neighbour_id, n.c.similarity).where(
                n.c.generation == generation, n.c.entity_id.in_(sources)
            )
        )
        vectors: dict[UUID, dict[UUID, float]] = defaultdict(dict)
        for row in rows:
            vectors[row.entity_id][row.neighbour_id] = row.similarity
        return dict(vectors)

    async def popular(self, limit: int, exclude: Collection[UUID]) -> list[tuple[UUID, float]]:
        last = _last_recompute(date.max)
        score = func.coalesce(m.c.value, 0.0)
        query = (
            select(entities.c.id, score.label("score"))
            .select_from(
                entities.outerjoin(
                    m,
                    (m.c.scope == Scope.ENTITY.value)
                    & (m.c.subject_id == entities.c.id)
                    & (m.c.metric == Metric.NORMALISED_SCORE.value)
                    & (m.c.day == last),
                )
            )
            .order_by(score.desc(), entities.c.follower_count.desc(), entities.c.id)
            .limit(limit)
        )
        if exclude:
            query = query.where(entities.c.id.not_in(list(exclude)))
        return [(row.id, float(row.score)) for row in await self._conn.execute(query)]

    async def upcoming_events(
        self, entity_ids: Collection[UUID], now: datetime, limit: int
    ) -> list[Event]:
        if not entity_ids:
            return []
        query = (
            select(events)
            .where(
                events.c.entity_id.in_(list(entity_ids)),
                events.c.phase.in_([EventPhase.PRE_LIVE.value, EventPhase.LIVE.value]),
                func.coalesce(events.c.ends_at, events.c.starts_at) >= now,
            )
            .order_by(events.c.starts_at, events.c.id)
            .limit(limit)
        )
        return [event_of(row._mapping) for row in await self._conn.execute(query)]

    # --- jobs ------------------------------------------------------------------------------

    async def add_job(self, job: RecomputeJob) -> RecomputeJob:
        inserted = await self._conn.execute(
            self._insert_ignoring_conflicts(analytics_jobs)
            .values(id=job.id, **_job_values(job))
            .returning(analytics_jobs.c.id)
        )
        if inserted.first() is not None:
            return job
        active = await self.active_job()
        assert active is not None, "a conflicting active job must exist"
        return active

    async def get_job(self, job_id: UUID) -> RecomputeJob | None:
        row = (
            await self._conn.execute(select(analytics_jobs).where(analytics_jobs.c.id == job_id))
        ).first()
        return _job(row) if row else None

    async def active_job(self) -> RecomputeJob | None:
        query = select(analytics_jobs).where(analytics_jobs.c.active_slot == ACTIVE_SLOT)
        row = (await self._conn.execute(query)).first()
        return _job(row) if row else None

    async def save_job(self, job: RecomputeJob, *, attempt: int | None = None) -> bool:
        expected = job.attempts if attempt is None else attempt
        result = await self._conn.execute(
            update(analytics_jobs)
            .where(analytics_jobs.c.id == job.id, analytics_jobs.c.attempts == expected)
            .values(_job_values(job))
        )
        return bool(result.rowcount)
