"""The outbox relay on every backend with the in-process bus (and once on PostgreSQL with
NATS): events committed by real use cases are published once, in order, and marked; a
rolled-back unit of work publishes nothing; a crash between publishing and marking
re-publishes, and a consumer wrapped in `idempotent_consumer` still handles each event once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest

from showgeo_adapters.inprocess import InProcessBus
from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.entities.model import EntityKind
from showgeo_domain.entities.services import Entities
from showgeo_domain.follow.domain_events import EntityFollowed
from showgeo_domain.follow.services import Follows
from showgeo_domain.identity.model import Actor
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.messaging import (
    EventBus,
    OutboxMessage,
    OutboxRelay,
    idempotent_consumer,
)
from showgeo_domain.shared.unit_of_work import UnitOfWork
from tests.contract.builders import a_user, store
from tests.contract.conftest import Backend, _migrated
from tests.support.migrated import postgres_copy
from tests.support.nats import jetstream_bus
from tests.support.waiting import eventually


async def _three_follows(uow: PlatformUnitOfWorkFactory, clock: FakeClock) -> None:
    """An entity and three followers, through the use cases: events in the outbox."""
    owner, *fans = (a_user(clock, name) for name in ("ana", "bob", "cyd", "dia"))
    await store(uow, users=[owner, *fans])
    await Entities(uow, clock).create(
        Actor(owner.id), name="The Band", slug="the-band", kind=EntityKind.CREATOR
    )
    follows = Follows(uow, clock)
    for fan in fans:
        clock.advance(timedelta(seconds=1))
        await follows.follow(Actor(fan.id), "the-band")


class Handled:
    """What a consumer did, via `idempotent_consumer`: one entry per handled event."""

    def __init__(self) -> None:
        self.ids: list[UUID] = []
        self.deliveries = 0

    async def work(self, uow: UnitOfWork, message: OutboxMessage) -> None:
        self.ids.append(message.id)


async def _consume(bus: EventBus, uow: PlatformUnitOfWorkFactory, clock: FakeClock) -> Handled:
    handled = Handled()
    inner = idempotent_consumer(uow, clock, "audit", handled.work)

    async def handler(message: OutboxMessage) -> None:
        handled.deliveries += 1
        await inner(message)

    await bus.subscribe("audit", "showgeo.>", handler)
    return handled


async def _committed_ids(backend: Backend) -> list[UUID]:
    return [e.event_id for e in await backend.outbox()]


async def test_committed_events_are_published_once_in_order(
    backend: Backend, clock: FakeClock
) -> None:
    bus = InProcessBus()
    try:
        handled = await _consume(bus, backend.uow, clock)
        await _three_follows(backend.uow, clock)
        expected = await _committed_ids(backend)
        assert len(expected) >= 3

        relay = OutboxRelay(backend.uow, bus, clock)
        assert await relay.relay_once() == len(expected)
        assert await relay.relay_once() == 0
        await eventually(lambda: len(handled.ids) == len(expected))
        await bus.idle()
        assert handled.ids == expected
        assert handled.deliveries == len(expected)
        async with backend.uow() as uow:
            assert await uow.outbox.unpublished(100) == []

        # Later events follow, in a small batch size too.
        fan = a_user(clock, "eve")
        await store(backend.uow, users=[fan])
        await Follows(backend.uow, clock).follow(Actor(fan.id), "the-band")
        assert await relay.relay_once(limit=1) == 1
        await eventually(lambda: len(handled.ids) == len(expected) + 1)
    finally:
        await bus.close()


async def test_a_rolled_back_unit_of_work_publishes_nothing(
    backend: Backend, clock: FakeClock
) -> None:
    bus = InProcessBus()
    try:
        handled = await _consume(bus, backend.uow, clock)
        async with backend.uow() as uow:
            uow.record(
                EntityFollowed(occurred_at=clock.now(), entity_id=new_id(), user_id=new_id())
            )
        assert await OutboxRelay(backend.uow, bus, clock).relay_once() == 0
        await bus.idle()
        assert handled.deliveries == 0
    finally:
        await bus.close()


class CrashAfter:
    """A bus that publishes, then dies before answering on the n-th message: the relay cannot
    know the message got through (the crash between publishing and marking)."""

    def __init__(self, bus: EventBus, n: int) -> None:
        self._bus = bus
        self._left = n

    async def publish(self, message: OutboxMessage) -> None:
        await self._bus.publish(message)
        self._left -= 1
        if self._left == 0:
            raise ConnectionError("lost the connection after publishing")


async def test_a_crash_between_publish_and_mark_is_handled_once(
    backend: Backend, clock: FakeClock
) -> None:
    # No duplicate window: the bus delivers the re-sent message, so the inbox must drop it.
    bus = InProcessBus(duplicate_window=0)
    try:
        handled = await _consume(bus, backend.uow, clock)
        await _three_follows(backend.uow, clock)
        expected = await _committed_ids(backend)

        crashing = OutboxRelay(backend.uow, CrashAfter(bus, 2), clock)  # type: ignore[arg-type]
        with pytest.raises(ConnectionError):
            await crashing.relay_once()
        async with backend.uow() as uow:  # only the first is marked
            waiting = await uow.outbox.unpublished(100)
        assert [m.id for m in waiting] == expected[1:]

        assert await OutboxRelay(backend.uow, bus, clock).relay_once() == len(expected) - 1
        await eventually(lambda: handled.deliveries == len(expected) + 1)
        await bus.idle()
        assert handled.ids == expected  # the second event was delivered twice, handled once
    finally:
        await bus.close()


@pytest.mark.postgres
@pytest.mark.nats
async def test_relay_to_jetstream_on_postgres(tmp_path: Path, clock: FakeClock) -> None:
    async with (
        postgres_copy() as url,
        _migrated(url) as backend,
        jetstream_bus(fetch_timeout=0.2) as bus,
    ):
        handled = await _consume(bus, backend.uow, clock)
        await _three_follows(backend.uow, clock)
        expected = await _committed_ids(backend)

        crashing = OutboxRelay(backend.uow, CrashAfter(bus, 2), clock)  # type: ignore[arg-type]
        with pytest.raises(ConnectionError):
            await crashing.relay_once()
        relay = OutboxRelay(backend.uow, bus, clock)
        assert await relay.relay_once() == len(expected) - 1
        assert await relay.relay_once() == 0

        await eventually(lambda: len(handled.ids) == len(expected))
        assert handled.ids == expected
        # JetStream dropped the re-sent second message as a duplicate: one delivery each.
        assert handled.deliveries == len(expected)
