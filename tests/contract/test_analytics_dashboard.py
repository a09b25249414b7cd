"""The dashboard's read on every backend: the entity's rows and each of its events' (never
another entity's), from the last recompute on or before the first day, with the recompute
days; and on SQL, one statement however many events the entity has."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.analytics.summaries import Metric, MetricRow, Scope
from tests.contract.builders import an_entity, an_event, store
from tests.contract.conftest import Backend

D1, D2, D3, D4 = (date(2026, 3, d) for d in (1, 2, 3, 4))
FOLLOWERS = Metric.FOLLOWERS.value
SOLD = Metric.TICKETS_SOLD.value
EUR = f"{Metric.TICKET_REVENUE.value}.EUR"


async def test_the_entity_and_its_events_from_the_last_recompute_on(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    band, other = an_entity(clock, "band"), an_entity(clock, "other")
    first, second, quiet = (an_event(clock, band, t) for t in ("First", "Second", "Quiet"))
    elsewhere = an_event(clock, other, "Elsewhere")
    await store(uow_factory, entities=[band, other], events=[first, second, quiet, elsewhere])
    async with uow_factory() as uow:
        write = uow.analytics.write_metrics
        await write(Scope.ENTITY, D1, [(band.id, FOLLOWERS, 5.0), (other.id, FOLLOWERS, 7.0)])
        await write(Scope.EVENT, D1, [(first.id, SOLD, 2.0), (elsewhere.id, SOLD, 9.0)])
        await uow.analytics.mark_recomputed(D1, 1)
        await write(Scope.ENTITY, D2, [(band.id, FOLLOWERS, 6.0)])
        await write(Scope.EVENT, D2, [(second.id, EUR, 2550.0)])
        await uow.analytics.mark_recomputed(D3, 2)
        await write(Scope.EVENT, D4, [(first.id, SOLD, 3.0), (second.id, SOLD, 1.0)])
        await uow.commit()

    async with uow_factory() as uow:
        whole = await uow.analytics.dashboard_rows(band.id, D2, D4)
        recent = await uow.analytics.dashboard_rows(band.id, D3, D4)
        nothing = await uow.analytics.dashboard_rows(an_entity(clock, "new").id, D2, D4)

    assert whole.entity == [MetricRow(D1, FOLLOWERS, 5.0), MetricRow(D2, FOLLOWERS, 6.0)]
    assert whole.events == {
        first.id: [MetricRow(D1, SOLD, 2.0), MetricRow(D4, SOLD, 3.0)],
        second.id: [MetricRow(D2, EUR, 2550.0), MetricRow(D4, SOLD, 1.0)],
    }  # `quiet` has no rows, `elsewhere` is another entity's
    assert whole.recomputed == [D1, D3]

    assert recent.entity == []  # D3's recompute found nothing for the entity
    assert recent.events == {
        first.id: [MetricRow(D4, SOLD, 3.0)],
        second.id: [MetricRow(D4, SOLD, 1.0)],
    }
    assert recent.recomputed == [D3]

    assert nothing.entity == []
    assert nothing.events == {}
    assert nothing.recomputed == [D1, D3]


@contextmanager
def _statements(engine: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_one_statement_however_many_events(sql_backend: Backend, clock: FakeClock) -> None:
    assert sql_backend.engine is not None
    band = an_entity(clock, "band")
    shows = [an_event(clock, band, f"Show {i}") for i in range(6)]
    await store(sql_backend.uow, entities=[band], events=shows)
    async with sql_backend.uow() as uow:
        await uow.analytics.write_metrics(Scope.EVENT, D1, [(s.id, SOLD, 1.0) for s in shows])
        await uow.commit()

    async with sql_backend.uow() as uow:
        await uow.analytics.user_count()  # the unit's connection and transaction are open
        with _statements(sql_backend.engine) as seen:
            found = await uow.analytics.dashboard_rows(band.id, D1, D2)
    assert len(found.events) == len(shows)
    assert [s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))] == seen
    assert len(seen) == 1
