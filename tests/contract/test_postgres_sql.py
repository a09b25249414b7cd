"""The hand-written statements of the hot paths (`showgeo_adapters.sqlalchemy.postgres`) run
inside the unit of work's own transaction on PostgreSQL: what they write commits and rolls
back with the Core statements around them, and the hot writes really skip Core (a follow,
an order), so an SQLAlchemy upgrade that removes what `postgres/driver.py` leans on (the
overrides then fall back to Core) is caught here instead of making every write quietly
slower. A hand-written read that finds nothing answers None itself, without asking Core
again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

import showgeo_adapters.sqlalchemy
from showgeo_adapters.memory import FakeClock
from showgeo_adapters.sqlalchemy.tables import follows, order_lines, orders, outbox
from showgeo_domain.events.geo import GeoPoint
from showgeo_domain.events.ports import EventQuery
from showgeo_domain.follow.domain_events import EntityFollowed
from showgeo_domain.follow.ports import FollowChange
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.pagination import PageRequest
from tests.contract.builders import (
    a_line,
    a_ticket_type,
    a_user,
    an_entity,
    an_event,
    an_order,
    store,
)
from tests.contract.conftest import Backend


@contextmanager
def core_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL SQLAlchemy itself sends while the block runs."""
    sent: list[str] = []

    def remember(*args: Any) -> None:
        sent.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", remember)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", remember)


async def count(engine: AsyncEngine, table: Any) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(table)) or 0)


async def test_a_follow_sends_no_core_statement_and_commits_with_its_event(
    postgres_backend: Backend, clock: FakeClock
) -> None:
    engine = postgres_backend.engine
    assert engine is not None
    ana, entity = a_user(clock, "ana"), an_entity(clock, "band")
    await store(postgres_backend.uow, users=[ana], entities=[entity])
    events_before = await count(engine, outbox)

    with core_statements(engine) as sent:
        async with postgres_backend.uow() as uow:
            assert await uow.entities.get(entity.id) is not None
            change = await uow.follows.add(ana.id, entity.id, clock.tick())
            assert change == FollowChange(changed=True, follower_count=1)
            uow.record(EntityFollowed(occurred_at=clock.now(), entity_id=entity.id, user_id=ana.id))
            await uow.commit()

    assert sent == []
    assert await count(engine, follows) == 1
    assert await count(engine, outbox) == events_before + 1


async def test_hand_written_and_core_statements_roll_back_together(
    postgres_backend: Backend, clock: FakeClock
) -> None:
    engine = postgres_backend.engine
    assert engine is not None
    ana, bob, entity = a_user(clock, "ana"), a_user(clock, "bob"), an_entity(clock, "band")
    await store(postgres_backend.uow, users=[ana, bob], entities=[entity])

    async with postgres_backend.uow() as uow:
        assert (
            await uow.follows.add(ana.id, entity.id, clock.tick())
        ).changed  # hand-written: begins
        assert await uow.follows.is_following(ana.id, entity.id)  # Core: same transaction
        await uow.rollback()
        # after the rollback the next hand-written statement begins a transaction of its own
        assert (await uow.follows.add(bob.id, entity.id, clock.tick())).changed
        # leaving the block without commit rolls it back

    assert await count(engine, follows) == 0
    async with postgres_backend.uow(read_only=True) as uow:
        found = await uow.entities.get(entity.id)
    assert found is not None
    assert found.follower_count == 0


async def test_core_first_then_hand_written_share_one_transaction(
    postgres_backend: Backend, clock: FakeClock
) -> None:
    """A Core statement has begun the transaction already: the hand-written one joins it."""
    engine = postgres_backend.engine
    assert engine is not None
    ana, entity = a_user(clock, "ana"), an_entity(clock, "band")
    await store(postgres_backend.uow, users=[ana], entities=[entity])

    async with postgres_backend.uow() as uow:
        assert not await uow.follows.is_following(ana.id, entity.id)  # Core begins
        assert (await uow.follows.add(ana.id, entity.id, clock.tick())).changed
        await uow.rollback()
    assert await count(engine, follows) == 0

    async with postgres_backend.uow() as uow:
        assert not await uow.follows.is_following(ana.id, entity.id)
        assert (await uow.follows.add(ana.id, entity.id, clock.tick())).changed
        await uow.commit()
    assert await count(engine, follows) == 1


async def test_placing_an_order_sends_no_core_statement(
    postgres_backend: Backend, clock: FakeClock
) -> None:
    engine = postgres_backend.engine
    assert engine is not None
    ana, entity = a_user(clock, "ana"), an_entity(clock, "band")
    gig = an_event(clock, entity)
    seats = a_ticket_type(clock, gig, quota=10)
    await store(
        postgres_backend.uow, users=[ana], entities=[entity], events=[gig], ticket_types=[seats]
    )
    order = an_order(clock, ana, a_line(seats, 2))
    events_before = await count(engine, outbox)

    with core_statements(engine) as sent:
        async with postgres_backend.uow() as uow:
            assert await uow.ticket_types.get(seats.id) is not None
            assert await uow.events.get(gig.id) is not None
            assert await uow.ticket_types.reserve(seats.id, 2)
            assert await uow.orders.add(order)
            await uow.commit()

    assert sent == []
    assert await count(engine, orders) == 1
    assert await count(engine, order_lines) == 1
    assert await count(engine, outbox) == events_before + 1  # OrderPlaced, tracked by `add`


async def test_a_read_that_finds_nothing_asks_core_nothing(
    postgres_backend: Backend, clock: FakeClock
) -> None:
    """An empty answer is an answer: a missing event, entity or ticket type, an empty first
    page of notifications and an empty radius search send no Core query after the
    hand-written one, in a read-only unit (which would otherwise take a second connection)
    and in a writing one."""
    engine = postgres_backend.engine
    assert engine is not None
    pool = engine.sync_engine.pool
    ana = a_user(clock, "ana")
    await store(postgres_backend.uow, users=[ana])

    with core_statements(engine) as sent:
        for read_only in (True, False):
            async with postgres_backend.uow(read_only=read_only) as uow:
                assert await uow.events.get(new_id()) is None
                assert await uow.entities.get(new_id()) is None
                assert await uow.ticket_types.get(new_id()) is None
                page = await uow.notifications.list_for_user(ana.id, PageRequest(limit=5))
                assert page.items == []
                near = EventQuery(near=GeoPoint(40.4, -3.7), radius_km=10)
                assert (await uow.events.search(near)).items == []
                assert pool.checkedout() == 1

    assert sent == []


def test_one_module_reaches_the_driver_connection() -> None:
    """The way in to asyncpg's own connection is `postgres/driver.py`, for every caller."""
    package = Path(showgeo_adapters.sqlalchemy.__file__).parent
    naming = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "driver_connection" in path.read_text()
    )
    assert naming == ["postgres/driver.py"]
