"""The creator dashboard's read model on the memory adapters: who may open it (the team and
platform admins; a stranger is refused, never shown an empty board), who sees the money, and
each event's figures over the same days as the entity's.

The crew (conftest): `olga` owns `night-shift`, `adam` administers it, `cora` collaborates,
`fay` follows it, `sam` is a stranger, `root` is a platform admin."""

from __future__ import annotations

from datetime import timedelta

import pytest

from showgeo_adapters.memory import FakeClock
from showgeo_domain.analytics.recompute import Recompute
from showgeo_domain.analytics.services import DEFAULT_SERIES_DAYS, Analytics
from showgeo_domain.analytics.summaries import Metric, Scope, money_metric
from showgeo_domain.entities.errors import EntityPermissionDenied
from showgeo_domain.entities.policy import EntityPermission
from showgeo_domain.events.services import EventDetails, Events


@pytest.fixture
def analytics(uow, clock: FakeClock) -> Analytics:
    return Analytics(uow, clock, Recompute(uow, clock))


async def test_a_stranger_is_refused_for_want_of_the_analytics_permission(
    analytics: Analytics, crew, crew_entity
) -> None:
    for outsider in (crew["sam"], crew["fay"]):  # a follower is not the team either
        with pytest.raises(EntityPermissionDenied) as refused:
            await analytics.dashboard(outsider.actor, crew_entity.slug)
        assert refused.value.extra["permission"] == EntityPermission.VIEW_ANALYTICS.value


async def test_the_team_sees_the_figures_and_only_money_roles_the_sales(
    analytics: Analytics, crew, crew_entity
) -> None:
    for name in ("olga", "adam", "root"):
        board = await analytics.dashboard(crew[name].actor, crew_entity.id)
        assert board.entity.id == crew_entity.id
        assert board.revenue is not None, name
    collaborator = await analytics.dashboard(crew["cora"].actor, crew_entity.slug)
    assert collaborator.revenue is None
    assert len(collaborator.series) == DEFAULT_SERIES_DAYS


async def test_each_event_has_its_series_over_the_entitys_days(
    analytics: Analytics, events: Events, uow, crew, crew_entity, clock: FakeClock
) -> None:
    details = EventDetails(title="Moonrise Set", starts_at=clock.now() + timedelta(days=7))
    sold = await events.create(crew["olga"].actor, crew_entity.id, details)
    quiet = await events.create(crew["olga"].actor, crew_entity.id, details)
    today = clock.now().date()
    async with uow() as unit:
        await unit.analytics.write_metrics(
            Scope.EVENT, today, [(sold.id, money_metric(Metric.TICKET_REVENUE, "EUR"), 2550.0)]
        )
        await unit.analytics.write_metrics(
            Scope.ENTITY, today, [(crew_entity.id, Metric.FOLLOWERS.value, 1.0)]
        )
        await unit.commit()

    board = await analytics.dashboard(crew["cora"].actor, crew_entity.id)
    assert board.current.count(Metric.FOLLOWERS) == 1
    assert set(board.event_series) == {sold.id}  # no figures, no series
    days = board.event_series[sold.id]
    assert [s.day for s in days] == [s.day for s in board.series]
    assert [m.amount for m in days[-1].amounts(Metric.TICKET_REVENUE)] == [2550]
    assert quiet.id not in board.event_series
