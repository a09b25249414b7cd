"""The read side of analytics: summaries with their daily series, recommendations, and the
admin's recompute requests.

Who sees what: an entity's and its events' analytics to the entity's members (VIEW_ANALYTICS:
owners, admins, collaborators) and platform admins; a user's own analytics to that user;
the platform's to platform admins. Anyone else gets 403 (404 for what does not exist).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from showgeo_domain.analytics.dashboard import Dashboard
from showgeo_domain.analytics.errors import JobNotFound
from showgeo_domain.analytics.jobs import JobTrigger, RecomputeJob
from showgeo_domain.analytics.ports import AnalyticsUnitOfWork
from showgeo_domain.analytics.recompute import Recompute
from showgeo_domain.analytics.score import ScoreWeights
from showgeo_domain.analytics.summaries import (
    PLATFORM_ID,
    Scope,
    Snapshot,
    check_range,
    latest,
    series,
)
from showgeo_domain.analytics.vectors import InteractionWeights, recommend, strength
from showgeo_domain.entities.model import Entity
from showgeo_domain.entities.policy import EntityPermission, is_allowed
from showgeo_domain.entities.services import find_entity, require_permission
from showgeo_domain.events.errors import EventNotFound
from showgeo_domain.events.geo import GeoPoint, distance_km
from showgeo_domain.events.model import Event
from showgeo_domain.identity.errors import AdminOnly
from showgeo_domain.identity.model import Actor
from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory

DEFAULT_SERIES_DAYS = 30
MAX_RECOMMENDATIONS = 50
EVENTS_PER_ENTITY = 5


@dataclass(frozen=True)
class AnalyticsView:
    """A subject's current numbers (`current`, the last day of the series) and its series."""

    scope: Scope
    subject_id: UUID
    current: Snapshot
    series: list[Snapshot]


@dataclass(frozen=True)
class RecommendedEntity:
    entity: Entity
    score: float
    """Cosine affinity in [0, 1]; for the popular list, the normalised engagement score."""
    reason: str
    """`similar` (collaborative filtering) or `popular` (the fallback)."""


@dataclass(frozen=True)
class RecommendedEvent:
    event: Event
    entity: RecommendedEntity
    distance_km: float | None


class Analytics:
    def __init__(
        self,
        uow: UnitOfWorkFactory[AnalyticsUnitOfWork],
        clock: Clock,
        recompute: Recompute,
        *,
        weights: ScoreWeights | None = None,
        interaction_weights: InteractionWeights | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._recompute = recompute
        self.weights = weights or ScoreWeights()
        self._interaction_weights = interaction_weights or InteractionWeights()

    # --- summaries -----------------------------------------------------------------------

    async def entity(
        self, actor: Actor, entity_ref: str | UUID, start: date | None, end: date | None
    ) -> AnalyticsView:
        async with self._uow() as uow:
            entity = await find_entity(uow, entity_ref)
            await require_permission(uow, entity, actor, EntityPermission.VIEW_ANALYTICS)
            return await self._view(uow, Scope.ENTITY, entity.id, start, end)

    async def event(
        self, actor: Actor, event_id: UUID, start: date | None, end: date | None
    ) -> AnalyticsView:
        async with self._uow() as uow:
            event = await uow.events.get(event_id)
            if event is None:
                raise EventNotFound(f"no event {event_id}")
            entity = await find_entity(uow, event.entity_id)
            await require_permission(uow, entity, actor, EntityPermission.VIEW_ANALYTICS)
            return await self._view(uow, Scope.EVENT, event.id, start, end)

    async def user(self, actor: Actor, start: date | None, end: date | None) -> AnalyticsView:
        async with self._uow() as uow:
            return await self._view(uow, Scope.USER, actor.user_id, start, end)

    async def platform(self, actor: Actor, start: date | None, end: date | None) -> AnalyticsView:
        _require_admin(actor)
        async with self._uow() as uow:
            return await self._view(uow, Scope.PLATFORM, PLATFORM_ID, start, end)

    async def dashboard(self, actor: Actor, entity_ref: str | UUID) -> Dashboard:
        """The creator dashboard over the default span: the entity's figures and each of its
        events' in one read. For its members and platform admins (VIEW_ANALYTICS; anyone
        else 403); the sales only for roles that see money (VIEW_REVENUE), None otherwise."""
        start, end = self._span(None, None)
        async with self._uow() as uow:
            entity = await find_entity(uow, entity_ref)
            role = await require_permission(uow, entity, actor, EntityPermission.VIEW_ANALYTICS)
            sees_money = is_allowed(actor, role, EntityPermission.VIEW_REVENUE)
            revenue = await uow.orders.revenue(entity.id) if sees_money else None
            rows = await uow.analytics.dashboard_rows(entity.id, start, end)
        return Dashboard.of(entity, rows, revenue, start, end)

    def _span(self, start: date | None, end: date | None) -> tuple[date, date]:
        """The days a series covers: `end` defaults to today, `start` to the default span."""
        end = end or self._clock.now().date()
        if start is None:
            span = timedelta(days=DEFAULT_SERIES_DAYS - 1)
            start = end - span if end - date.min >= span else date.min
        check_range(start, end)
        return start, end

    async def _view(
        self,
        uow: AnalyticsUnitOfWork,
        scope: Scope,
        subject: UUID,
        start: date | None,
        end: date | None,
    ) -> AnalyticsView:
        start, end = self._span(start, end)
        rows, recomputed = await uow.analytics.metric_rows(scope, subject, start, end)
        days = series(rows, recomputed, start, end)
        return AnalyticsView(scope, subject, latest(days, end), days)

    # --- recommendations -------------------------------------------------------------------

    async def recommended_entities(self, actor: Actor, limit: int) -> list[RecommendedEntity]:
        """Entities like the ones the user interacts with, never one they follow; users with
        nothing to go on (or few matches) get the popular list after the matches."""
        _check_limit(limit)
        async with self._uow() as uow:
            return await self._recommend(uow, actor.user_id, limit)

    async def recommended_events(
        self, actor: Actor, near: GeoPoint | None, limit: int
    ) -> list[RecommendedEvent]:
        """Upcoming events of the recommended entities: by the entity's rank, soonest first;
        with `near`, nearest first (events without a venue after those with one)."""
        _check_limit(limit)
        now = self._clock.now()
        async with self._uow() as uow:
            entities = await self._recommend(uow, actor.user_id, MAX_RECOMMENDATIONS)
            by_id = {r.entity.id: r for r in entities}
            events = await uow.analytics.upcoming_events(
                list(by_id), now, MAX_RECOMMENDATIONS * EVENTS_PER_ENTITY
            )
        rank = {entity_id: i for i, entity_id in enumerate(by_id)}
        found = [
            RecommendedEvent(
                e,
                by_id[e.entity_id],
                distance_km(near, GeoPoint(e.venue.lat, e.venue.lon)) if near and e.venue else None,
            )
            for e in events
        ]
        if near is not None:
            found.sort(
                key=lambda r: (
                    r.distance_km is None,
                    r.distance_km or 0.0,
                    r.event.starts_at,
                    str(r.event.id),
                )
            )
        else:
            found.sort(key=lambda r: (rank[r.entity.entity.id], r.event.starts_at, str(r.event.id)))
        return found[:limit]

    async def _recommend(
        self, uow: AnalyticsUnitOfWork, user_id: UUID, limit: int
    ) -> list[RecommendedEntity]:
        exclude = await uow.analytics.followed_or_joined(user_id)
        interactions = await uow.analytics.interactions_of(user_id)
        user_vector = {e: strength(i, self._interaction_weights) for e, i in interactions.items()}
        user_vector = {e: v for e, v in user_vector.items() if v > 0}
        picks: list[tuple[UUID, float, str]] = []
        if user_vector:
            vectors = await uow.analytics.neighbour_vectors(list(user_vector))
            for entity_id, vector in vectors.items():
                vector[entity_id] = 1.0  # an entity is fully like itself
            picks = [
                (r.entity_id, r.score, "similar")
                for r in recommend(user_vector, vectors, exclude=exclude, limit=limit)
            ]
        if len(picks) < limit:
            taken = exclude | {p[0] for p in picks}
            popular = await uow.analytics.popular(limit - len(picks), taken)
            picks += [(entity_id, score, "popular") for entity_id, score in popular]
        found = await uow.entities.get_many([p[0] for p in picks])
        return [
            RecommendedEntity(found[entity_id], score, reason)
            for entity_id, score, reason in picks
            if entity_id in found
        ]

    # --- jobs -------------------------------------------------------------------------------

    async def request_recompute(self, actor: Actor) -> tuple[RecomputeJob, bool]:
        """Admins only. `(job, True)` for a new job the caller must run; `(running, False)`."""
        _require_admin(actor)
        return await self._recompute.request(JobTrigger.API, actor.user_id)

    async def job(self, actor: Actor, job_id: UUID) -> RecomputeJob:
        _require_admin(actor)
        async with self._uow() as uow:
            job = await uow.analytics.get_job(job_id)
        if job is None:
            raise JobNotFound(f"no recompute job {job_id}")
        return job


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise AdminOnly("platform analytics are for platform admins")


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_RECOMMENDATIONS:
        raise InvalidInput(f"limit must be between 1 and {MAX_RECOMMENDATIONS}", field="limit")
