"""The hand-written statements of the hot paths (`showgeo_adapters.sqlalchemy.direct`) run
inside the unit of work's own transaction on PostgreSQL: what they write commits and rolls
back with the Core statements around them, and the hot writes really skip Core (a follow,
an order), so an SQLAlchemy upgrade that removes what the direct path leans on is caught
here instead of making every write quietly slower."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.sqlalchemy.tables import follows, order_lines, orders, outbox
from showgeo_domain.follow.domain_events import EntityFollowed
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
            assert await uow.follows.add(ana.id, entity.id, clock.tick())
            assert await uow.follows.follower_count(entity.id) == 1
            uow.record(EntityFollowed(occurred_at=clock.now(), entity_id=entity.id, user_id=ana.id))
            await uow.commit()

    assert sent == []
    assert await count(engine, follows) == 1
    assert await count(engine, outbox) == events_before + 1


async def test_direct_and_core_statements_roll_back_together(
    postgres_backend: Backend, clock: FakeClock
) -> None:
    engine = postgres_backend.engine
    assert engine is not None
    ana, bob, entity = a_user(clock, "ana"), a_user(clock, "bob"), an_entity(clock, "band")
    await store(postgres_backend.uow, users=[ana, bob], entities=[entity])

    async with postgres_backend.uow() as uow:
        assert await uow.follows.add(ana.id, entity.id, clock.tick())  # direct: begins
        assert await uow.follows.is_following(ana.id, entity.id)  # Core: same transaction
        await uow.rollback()
        # after the rollback the next direct statement begins a transaction of its own
        assert await uow.follows.add(bob.id, entity.id, clock.tick())
        # leaving the block without commit rolls it back

    assert await count(engine, follows) == 0
    async with postgres_backend.uow(read_only=True) as uow:
        found = await uow.entities.get(entity.id)
    assert found is not None
    assert found.follower_count == 0


async def test_core_first_then_direct_share_one_transaction(
    postgres_backend: Backend, clock: FakeClock
) -> None:
    """A Core statement has begun the transaction already: the direct one joins it."""
    engine = postgres_backend.engine
    assert engine is not None
    ana, entity = a_user(clock, "ana"), an_entity(clock, "band")
    await store(postgres_backend.uow, users=[ana], entities=[entity])

    async with postgres_backend.uow() as uow:
        assert not await uow.follows.is_following(ana.id, entity.id)  # Core begins
        assert await uow.follows.add(ana.id, entity.id, clock.tick())
        await uow.rollback()
    assert await count(engine, follows) == 0

    async with postgres_backend.uow() as uow:
        assert not await uow.follows.is_following(ana.id, entity.id)
        assert await uow.follows.add(ana.id, entity.id, clock.tick())
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
