"""OutboxReader on every backend: committed events come back oldest first, `limit` at a time,
with their stored JSON as the payload; marked ones are gone, and a rolled-back transaction
leaves nothing to publish (neither its events nor its marks)."""

from __future__ import annotations

from datetime import timedelta

import msgspec

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.follow.domain_events import EntityFollowed, EntityUnfollowed
from showgeo_domain.shared.domain_events import DomainEvent
from showgeo_domain.shared.ids import new_id
from tests.contract.conftest import Backend


def _events(clock: FakeClock, n: int) -> list[DomainEvent]:
    entity = new_id()
    made: list[DomainEvent] = []
    for i in range(n):
        kind = EntityFollowed if i % 2 == 0 else EntityUnfollowed
        made.append(kind(occurred_at=clock.tick(), entity_id=entity, user_id=new_id()))
    return made


async def _commit(uow_factory: PlatformUnitOfWorkFactory, events: list[DomainEvent]) -> None:
    async with uow_factory() as uow:
        uow.record(*events)
        await uow.commit()


async def test_unpublished_in_order_with_limit(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    first, second = _events(clock, 3), _events(clock, 2)
    await _commit(uow_factory, first)
    await _commit(uow_factory, second)
    expected = first + second
    async with uow_factory() as uow:
        everything = await uow.outbox.unpublished(100)
        head = await uow.outbox.unpublished(2)
    assert [m.id for m in everything] == [e.id for e in expected]
    assert [m.id for m in head] == [e.id for e in expected[:2]]
    for message, event in zip(everything, expected, strict=True):
        assert message.subject == type(event).subject()
        assert message.occurred_at == event.occurred_at
        assert msgspec.json.decode(message.payload) == msgspec.to_builtins(event)
        assert msgspec.json.decode(message.payload, type=type(event)) == event


async def test_marked_messages_are_not_returned_again(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    events = _events(clock, 4)
    await _commit(uow_factory, events)
    async with uow_factory() as uow:
        batch = await uow.outbox.unpublished(2)
        await uow.outbox.mark_published([m.id for m in batch], clock.now())
        await uow.outbox.mark_published([], clock.now())  # nothing to do, no error
        await uow.commit()
    async with uow_factory() as uow:
        assert [m.id for m in await uow.outbox.unpublished(10)] == [e.id for e in events[2:]]


async def test_a_rolled_back_mark_keeps_the_messages_waiting(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    events = _events(clock, 2)
    await _commit(uow_factory, events)
    async with uow_factory() as uow:
        await uow.outbox.mark_published([e.id for e in events], clock.now())
        # no commit: the relay crashed before marking for good
    async with uow_factory() as uow:
        assert [m.id for m in await uow.outbox.unpublished(10)] == [e.id for e in events]


async def test_a_rolled_back_transaction_leaves_nothing_to_publish(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    async with uow_factory() as uow:
        uow.record(*_events(clock, 2))
    async with uow_factory() as uow:
        uow.record(*_events(clock, 1))
        await uow.rollback()
    clock.advance(timedelta(seconds=1))
    async with uow_factory() as uow:
        assert await uow.outbox.unpublished(10) == []


async def test_concurrent_relays_split_the_work_on_postgres(
    postgres_backend: Backend, clock: FakeClock
) -> None:
    """SQLite has one writer at a time, so only PostgreSQL has work to split."""
    events = _events(clock, 4)
    await _commit(postgres_backend.uow, events)
    async with postgres_backend.uow() as first, postgres_backend.uow() as second:
        taken = await first.outbox.unpublished(2)
        rest = await second.outbox.unpublished(10)
    assert [m.id for m in taken] == [e.id for e in events[:2]]
    assert [m.id for m in rest] == [e.id for e in events[2:]]
