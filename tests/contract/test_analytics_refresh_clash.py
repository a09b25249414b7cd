"""The recompute's aggregates go into PostgreSQL as plain INSERTs after the day's DELETE; a
consumer's counter row for the same day that lands in between (its own transaction) must
not fail the recompute: the INSERT is undone to its savepoint and redone as an upsert, the
aggregate winning."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.sqlalchemy.tables import analytics_metrics
from showgeo_domain.analytics.summaries import Scope
from tests.contract.builders import a_user, an_entity, store
from tests.contract.conftest import Backend

WAITING = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


async def test_a_counter_row_added_during_the_refresh_is_overwritten_by_the_aggregate(
    postgres_backend: Backend, clock: FakeClock
) -> None:
    engine = postgres_backend.engine
    assert engine is not None
    fans = [a_user(clock, f"fan{i}") for i in range(2)]
    entity = an_entity(clock, "clash")
    await store(postgres_backend.uow, users=fans, entities=[entity])
    async with postgres_backend.uow() as uow:
        for fan in fans:
            assert (await uow.follows.add(fan.id, entity.id, clock.tick())).changed
        await uow.commit()
    day = clock.now().date()
    async with engine.connect() as consumer:
        # The consumer's row, not committed yet: the refresh's DELETE cannot see it, its
        # INSERT of the same key waits for it, then clashes once it is committed.
        await consumer.execute(
            analytics_metrics.insert().values(
                scope=Scope.ENTITY.value,
                subject_id=entity.id,
                metric="followers",
                day=day,
                value=999.0,
            )
        )

        async def refresh() -> None:
            async with postgres_backend.uow() as uow:
                await uow.analytics.refresh_entity_metrics(day)
                await uow.commit()

        task = asyncio.create_task(refresh())
        async with engine.connect() as watcher:
            for _ in range(1200):  # a minute: the refresh's first statements, on a busy machine
                if (await watcher.execute(WAITING)).scalar_one():
                    break
                # pg_stat_activity is read once per transaction and kept: a watcher that
                # stayed in its first transaction would never see the refresh start waiting
                await watcher.rollback()
                assert not task.done(), task.exception()
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("the refresh never waited for the consumer's row")
        await consumer.commit()
        await asyncio.wait_for(task, 30)
    async with postgres_backend.uow() as uow:
        rows, _ = await uow.analytics.metric_rows(Scope.ENTITY, entity.id, day, day)
    assert {r.metric: r.value for r in rows}["followers"] == 2.0
