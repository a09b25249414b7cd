"""Analytics and recommendations.

Summaries: an entity's and its events' analytics for the entity's members and platform
admins, the caller's own, the platform's for admins; each with its daily series (`from`, `to`:
dates, inclusive; default the last 30 days). Recommendations for the caller. Recomputes:
`POST /analytics/update` (admins) answers 202 with the job, the running one if any;
`GET /analytics/jobs/{id}` reports its progress.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from showgeo_api.processes.recompute_runner import RecomputeRunner
from showgeo_api.routes.events import EventOut, event_fields, parse_near
from showgeo_api.routes.schemas import EntityOut, MoneyOut
from showgeo_domain.analytics.jobs import RecomputeJob
from showgeo_domain.analytics.score import INPUTS, ScoreWeights
from showgeo_domain.analytics.services import (
    MAX_RECOMMENDATIONS,
    Analytics,
    AnalyticsView,
    RecommendedEntity,
)
from showgeo_domain.analytics.summaries import Metric, Scope, Snapshot
from showgeo_domain.identity.model import Actor

SECURITY: list[dict[str, list[str]]] = [{"BearerToken": []}]
_NOT_COUNTS = {
    Metric.NORMALISED_SCORE.value,
    Metric.RECOMPUTED.value,
    Metric.RECOMPUTE_STARTED_AT.value,
    Metric.NEIGHBOURS_GENERATION.value,
}
# Metrics in minor units of their currency (`store_revenue.EUR`). Other per-currency metrics
# are counts (`paid_orders.EUR`: how many orders were paid in euros) and stay in `counts`.
_MONEY = {
    Metric.STORE_REVENUE.value,
    Metric.TICKET_REVENUE.value,
    Metric.REVENUE.value,
    Metric.SPENT.value,
}

Start = Annotated[date | None, QueryParameter(name="from", description="first day, YYYY-MM-DD")]
End = Annotated[date | None, QueryParameter(name="to", description="last day, YYYY-MM-DD")]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_RECOMMENDATIONS)]


class EngagementOut(msgspec.Struct):
    """The seed formula on this day's inputs (`store_revenue` in major units of `currency`,
    the currency most of the entity's paid orders were in) and the normalised score of the
    last recompute (each input divided by its maximum across entities)."""

    score: float
    normalised_score: float | None
    currency: str | None
    inputs: dict[str, float]
    weights: dict[str, float]


class DayOut(msgspec.Struct):
    day: date
    counts: dict[str, int]
    """Whole numbers; a count per currency keeps its currency in the name (`paid_orders.EUR`)."""
    amounts: dict[str, list[MoneyOut]]
    """Money metrics in minor units, one entry per currency."""
    engagement: EngagementOut | None = None


class AnalyticsOut(msgspec.Struct):
    scope: str
    subject_id: UUID
    day: date
    counts: dict[str, int]
    amounts: dict[str, list[MoneyOut]]
    engagement: EngagementOut | None
    series: list[DayOut]


def _engagement(snapshot: Snapshot, weights: ScoreWeights) -> EngagementOut:
    inputs = snapshot.score_inputs()
    normalised = snapshot.values.get(Metric.NORMALISED_SCORE.value)
    return EngagementOut(
        score=snapshot.score(weights),
        normalised_score=normalised,
        currency=snapshot.main_currency(),
        inputs={name: getattr(inputs, name) for name in INPUTS},
        weights={name: getattr(weights, name) for name in INPUTS},
    )


def _day(snapshot: Snapshot, scope: Scope, weights: ScoreWeights) -> DayOut:
    counts: dict[str, int] = {}
    amounts: dict[str, list[MoneyOut]] = {}
    for name, value in sorted(snapshot.values.items()):
        if name in _NOT_COUNTS:
            continue
        metric, dot, currency = name.partition(".")
        if dot and metric in _MONEY:
            amounts.setdefault(metric, []).append(MoneyOut(round(value), currency))
        else:
            counts[name] = round(value)
    engagement = _engagement(snapshot, weights) if scope is Scope.ENTITY else None
    return DayOut(snapshot.day, counts, amounts, engagement)


def _view(view: AnalyticsView, weights: ScoreWeights) -> AnalyticsOut:
    current = _day(view.current, view.scope, weights)
    return AnalyticsOut(
        scope=view.scope.value,
        subject_id=view.subject_id,
        day=current.day,
        counts=current.counts,
        amounts=current.amounts,
        engagement=current.engagement,
        series=[_day(s, view.scope, weights) for s in view.series],
    )


class JobOut(msgspec.Struct):
    job_id: UUID
    status: str
    trigger: str
    progress: float
    stage: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None

    @classmethod
    def of(cls, job: RecomputeJob) -> JobOut:
        return cls(
            job_id=job.id,
            status=job.status.value,
            trigger=job.trigger.value,
            progress=round(job.progress, 4),
            stage=job.stage,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            error=job.error,
        )


class AnalyticsController(Controller):
    path = "/analytics"
    tags = ["analytics"]

    @get("/entities/{ref:str}", security=SECURITY)
    async def entity(
        self,
        ref: FromPath[str],
        actor: NamedDependency[Actor],
        analytics: NamedDependency[Analytics],
        start: Start = None,
        end: End = None,
    ) -> AnalyticsOut:
        """Members of the entity and platform admins (403 for anyone else)."""
        return _view(await analytics.entity(actor, ref, start, end), analytics.weights)

    @get("/events/{event_id:uuid}", security=SECURITY)
    async def event(
        self,
        event_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        analytics: NamedDependency[Analytics],
        start: Start = None,
        end: End = None,
    ) -> AnalyticsOut:
        """Members of the event's entity and platform admins."""
        return _view(await analytics.event(actor, event_id, start, end), analytics.weights)

    @get("/users/me", security=SECURITY)
    async def me(
        self,
        actor: NamedDependency[Actor],
        analytics: NamedDependency[Analytics],
        start: Start = None,
        end: End = None,
    ) -> AnalyticsOut:
        return _view(await analytics.user(actor, start, end), analytics.weights)

    @get("/platform", security=SECURITY)
    async def platform(
        self,
        admin: NamedDependency[Actor],
        analytics: NamedDependency[Analytics],
        start: Start = None,
        end: End = None,
    ) -> AnalyticsOut:
        return _view(await analytics.platform(admin, start, end), analytics.weights)

    @post("/update", status_code=202, security=SECURITY)
    async def update(
        self,
        admin: NamedDependency[Actor],
        analytics: NamedDependency[Analytics],
        recompute_runner: NamedDependency[RecomputeRunner],
    ) -> JobOut:
        """Starts a full recompute in the background; while one runs, returns that one."""
        job, created = await analytics.request_recompute(admin)
        if created:
            recompute_runner.launch(job.id)
        return JobOut.of(job)

    @get("/jobs/{job_id:uuid}", security=SECURITY)
    async def job(
        self,
        job_id: FromPath[UUID],
        admin: NamedDependency[Actor],
        analytics: NamedDependency[Analytics],
    ) -> JobOut:
        return JobOut.of(await analytics.job(admin, job_id))


class RecommendedEntityOut(msgspec.Struct):
    entity: EntityOut
    score: float
    reason: str

    @classmethod
    def of(cls, r: RecommendedEntity) -> RecommendedEntityOut:
        return cls(EntityOut.of(r.entity), round(r.score, 6), r.reason)


class RecommendedEventOut(EventOut):
    distance_km: float | None = None
    reason: str = "similar"
    """Why its entity was recommended: `similar` or `popular`."""


class RecommendedEntitiesOut(msgspec.Struct):
    items: list[RecommendedEntityOut]


class RecommendedEventsOut(msgspec.Struct):
    items: list[RecommendedEventOut]


class RecommendationsController(Controller):
    path = "/recommendations"
    tags = ["analytics"]

    @get("/entities", security=SECURITY)
    async def entities(
        self,
        actor: NamedDependency[Actor],
        analytics: NamedDependency[Analytics],
        limit: Limit = 10,
    ) -> RecommendedEntitiesOut:
        """Entities followed by people with interests like the caller's (cosine similarity of
        interaction vectors), never one the caller follows or belongs to; the popular list
        (normalised engagement score) fills up for new users."""
        found = await analytics.recommended_entities(actor, limit)
        return RecommendedEntitiesOut([RecommendedEntityOut.of(r) for r in found])

    @get("/events", security=SECURITY)
    async def events(
        self,
        actor: NamedDependency[Actor],
        analytics: NamedDependency[Analytics],
        near: Annotated[
            str | None, QueryParameter(max_length=64, description="lat,lon in decimal degrees")
        ] = None,
        limit: Limit = 10,
    ) -> RecommendedEventsOut:
        """Upcoming events of recommended entities; nearest first with `near`."""
        point = parse_near(near) if near is not None else None
        found = await analytics.recommended_events(actor, point, limit)
        return RecommendedEventsOut(
            [
                RecommendedEventOut(
                    **event_fields(r.event),
                    distance_km=None if r.distance_km is None else round(r.distance_km, 3),
                    reason=r.entity.reason,
                )
                for r in found
            ]
        )
