"""Building the analytics use cases from settings (the container calls these): the score
weights, the recompute and the read side. Running recomputes belongs to the processes
(`processes/recompute_runner.py`, `processes/scheduled_jobs.py`)."""

from __future__ import annotations

from datetime import timedelta

from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_api.settings import Settings
from showgeo_domain.analytics.recompute import Recompute
from showgeo_domain.analytics.score import ScoreWeights
from showgeo_domain.analytics.services import Analytics
from showgeo_domain.shared.clock import Clock


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
