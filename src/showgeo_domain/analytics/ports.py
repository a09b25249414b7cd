"""What analytics needs from storage: aggregation done by the store itself (SQL GROUP BY,
`INSERT … SELECT`), metric rows, interaction vectors in chunks, stored neighbours, and jobs.

Streaming viewer metrics (viewers, peak viewers, watch time) are aggregated behind this port
too; until the streaming tables exist the adapters count them as 0 (see docs/analytics.md).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from showgeo_domain.analytics.dashboard import DashboardRows
from showgeo_domain.analytics.jobs import RecomputeJob
from showgeo_domain.analytics.score import ScoreInputs
from showgeo_domain.analytics.summaries import MetricRow, Scope
from showgeo_domain.analytics.vectors import EntityColumns, Interaction, InteractionChunk
from showgeo_domain.events.model import Event
from showgeo_domain.events.ports import EventsUnitOfWork
from showgeo_domain.orders.ports import OrderRepository


class AnalyticsRepository(Protocol):
    # --- recompute: each replaces `day`'s rows of its scope with fresh aggregates ----------

    async def refresh_entity_metrics(self, day: date) -> None:
        """followers, tickets_sold (valid tickets), notifications_sent, viewers and
        watch_seconds, store_revenue.<CUR> (net of product lines, refunds pro rata, floored)
        and paid_orders.<CUR> per entity."""
        ...

    async def refresh_event_metrics(self, day: date) -> None:
        """tickets_sold, checked_in, ticket_revenue.<CUR>, viewers, peak_viewers and
        watch_seconds per event."""
        ...

    async def refresh_user_metrics(self, day: date) -> None:
        """following, tickets, paid_orders, spent.<CUR>, notifications_received and
        watch_seconds per user."""
        ...

    async def refresh_platform_metrics(self, day: date) -> None:
        """users, entities, events, follows, paid_orders, tickets_sold, notifications_sent,
        viewers, watch_seconds, revenue.<CUR>."""
        ...

    async def score_inputs(
        self, day: date, after: UUID | None, limit: int
    ) -> list[tuple[UUID, ScoreInputs]]:
        """The score inputs of entities with metrics on `day`, by entity id, after `after`."""
        ...

    async def write_metrics(
        self, scope: Scope, day: date, values: Sequence[tuple[UUID, str, float]]
    ) -> None:
        """Upsert `(subject, metric, value)` rows for `day`."""
        ...

    async def increment(
        self, scope: Scope, subject_id: UUID, metric: str, delta: float, day: date
    ) -> None:
        """Add `delta` to the metric's value on `day`; a first row of the day starts from the
        last value since the last recompute (see `summaries`), in one statement."""
        ...

    async def mark_started(self, day: date, at: datetime) -> None:
        """A recompute starts at `at`: events from before it are its to count."""
        ...

    async def counted_until(self) -> datetime | None:
        """When the last recompute started (None: never)."""
        ...

    async def mark_recomputed(self, day: date, generation: int) -> None:
        """The recompute of `day` is complete and neighbour set `generation` is current;
        older neighbour sets are dropped."""
        ...

    # --- interaction vectors and neighbours --------------------------------------------------

    async def entity_ids(self) -> list[UUID]:
        """Every entity, by id: the columns of the interaction matrix."""
        ...

    async def user_count(self) -> int: ...

    async def interaction_chunk(
        self, after: UUID | None, users: int, columns: EntityColumns
    ) -> InteractionChunk:
        """Summed interactions of the next `users` users (by id) after `after`, grouped by
        (user, entity) in the store, as arrays: each user a row of the chunk, each entity its
        column in `columns` (-1 when it is not one)."""
        ...

    async def neighbours_generation(self) -> int:
        """The current neighbour set (0: never computed)."""
        ...

    async def clear_neighbours(self, generation: int) -> None:
        """Drop what a recompute that died half-way left of neighbour set `generation`."""
        ...

    async def add_neighbours(
        self, generation: int, rows: Sequence[tuple[UUID, UUID, float]]
    ) -> None:
        """Store `(entity, neighbour, similarity)` rows of a neighbour set being built (each
        pair once: the set was cleared first)."""
        ...

    # --- reading -----------------------------------------------------------------------------

    async def metric_rows(
        self, scope: Scope, subject_id: UUID, start: date, end: date
    ) -> tuple[list[MetricRow], list[date]]:
        """The subject's rows from the last recompute on or before `start` to `end`, and the
        recompute days in that span (what `summaries.series` needs)."""
        ...

    async def dashboard_rows(self, entity_id: UUID, start: date, end: date) -> DashboardRows:
        """The entity's rows and those of each of its events (keyed by event; events without
        rows left out), from the last recompute on or before `start` to `end`, with the
        recompute days in that span: one read however many events the entity has."""
        ...

    async def interactions_of(self, user_id: UUID) -> dict[UUID, Interaction]:
        """What the user did with each entity, now (not as of the last recompute)."""
        ...

    async def followed_or_joined(self, user_id: UUID) -> set[UUID]:
        """Entities the user follows or is a member of: never recommended to them."""
        ...

    async def neighbour_vectors(self, near: Collection[UUID]) -> dict[UUID, dict[UUID, float]]:
        """The vectors (neighbour → similarity) of every entity that has one of `near` among
        its neighbours, in the current neighbour set."""
        ...

    async def popular(self, limit: int, exclude: Collection[UUID]) -> list[tuple[UUID, float]]:
        """Entities with their normalised score as of the last recompute (0 without one),
        best first, then by follower count, then id."""
        ...

    async def upcoming_events(
        self, entity_ids: Collection[UUID], now: datetime, limit: int
    ) -> list[Event]:
        """PRE_LIVE or LIVE events of these entities not ended before `now`, soonest first."""
        ...

    # --- jobs -------------------------------------------------------------------------------

    async def add_job(self, job: RecomputeJob) -> RecomputeJob:
        """Store `job`, unless another is active: then return that one (stored untouched)."""
        ...

    async def get_job(self, job_id: UUID) -> RecomputeJob | None: ...

    async def active_job(self) -> RecomputeJob | None: ...

    async def save_job(self, job: RecomputeJob, *, attempt: int | None = None) -> bool:
        """Write `job` if the stored job is still at attempt `attempt` (by default
        `job.attempts`); False, writing nothing, when another run has taken it over since."""
        ...


class AnalyticsUnitOfWork(EventsUnitOfWork, Protocol):
    """What the analytics use cases, consumers and recompute need: the metrics store, and the
    orders, events and entities they read."""

    analytics: AnalyticsRepository
    orders: OrderRepository
