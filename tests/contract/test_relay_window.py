"""The relay publishing a window of messages at once (`OutboxRelay(window=…)`, as deployed):
the bus still sees the outbox order, and a failure marks only what came before it."""

from __future__ import annotations

import asyncio
from uuid import UUID

import nats.js.errors
import pytest

from showgeo_adapters.inprocess import InProcessBus
from showgeo_adapters.memory import FakeClock
from showgeo_domain.follow.domain_events import EntityFollowed
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.messaging import RELAY_WINDOW, OutboxMessage, OutboxRelay
from tests.contract.conftest import Backend, _migrated
from tests.contract.test_relay import CrashAfter, _committed_ids, _consume, _three_follows
from tests.support.migrated import postgres_copy
from tests.support.nats import jetstream_bus
from tests.support.waiting import eventually


def test_a_window_is_at_least_one() -> None:
    with pytest.raises(ValueError, match="window"):
        OutboxRelay(lambda: None, InProcessBus(), FakeClock(), window=0)  # type: ignore[arg-type, return-value]


async def test_a_failure_in_a_window_marks_only_what_came_before_it(
    backend: Backend, clock: FakeClock
) -> None:
    bus = InProcessBus()
    try:
        handled = await _consume(bus, backend.uow, clock)
        await _three_follows(backend.uow, clock)
        expected = await _committed_ids(backend)
        assert len(expected) >= 3

        crashing = OutboxRelay(backend.uow, CrashAfter(bus, 2), clock, window=10)  # type: ignore[arg-type]
        with pytest.raises(ConnectionError):
            await crashing.relay_once()
        async with backend.uow() as uow:  # only the first is marked
            assert [m.id for m in await uow.outbox.unpublished(100)] == expected[1:]

        relay = OutboxRelay(backend.uow, bus, clock, window=10)
        assert await relay.relay_once() == len(expected) - 1
        await eventually(lambda: len(handled.ids) == len(expected))
        await bus.idle()
        assert handled.ids == expected  # the bus dropped the re-sent ones: each handled once
    finally:
        await bus.close()


async def _record_follows(backend: Backend, clock: FakeClock, count: int) -> list[str]:
    async with backend.uow() as uow:
        for _ in range(count):
            uow.record(
                EntityFollowed(occurred_at=clock.now(), entity_id=new_id(), user_id=new_id())
            )
        await uow.commit()
    return [str(i) for i in await _committed_ids(backend)]


@pytest.mark.postgres
@pytest.mark.nats
async def test_jetstream_receives_a_window_in_outbox_order(clock: FakeClock) -> None:
    async with (
        postgres_copy() as url,
        _migrated(url) as backend,
        jetstream_bus(fetch_timeout=0.2, batch=200) as bus,
    ):
        handled = await _consume(bus, backend.uow, clock)
        expected = await _record_follows(backend, clock, 1000)

        relay = OutboxRelay(backend.uow, bus, clock, window=RELAY_WINDOW)
        assert await relay.relay_once(limit=500) == 500
        assert await relay.relay_once(limit=500) == 500
        assert await relay.relay_once() == 0

        await eventually(lambda: len(handled.ids) == 1000, within=30)
        assert [str(i) for i in handled.ids] == expected


@pytest.mark.nats
async def test_publish_many_acks_only_what_came_before_a_failure(clock: FakeClock) -> None:
    async with jetstream_bus() as bus:

        def message(subject: str) -> OutboxMessage:
            return OutboxMessage(
                id=new_id(), subject=subject, payload=b"{}", occurred_at=clock.now()
            )

        first, stray, third = (
            message("showgeo.follow.entity_followed"),
            message("nowhere.follow.entity_followed"),  # no stream takes it: no ack
            message("showgeo.follow.entity_followed"),
        )
        acked: list[UUID] = []
        with pytest.raises(nats.js.errors.NoStreamResponseError):
            await bus.publish_many([first, stray, third], acked)
        assert acked == [first.id]


async def test_drain_publishes_everything_in_order_in_small_batches(
    backend: Backend, clock: FakeClock
) -> None:
    bus = InProcessBus()
    try:
        handled = await _consume(bus, backend.uow, clock)
        expected = await _record_follows(backend, clock, 7)
        relay = OutboxRelay(backend.uow, bus, clock, window=2)
        published = 0
        while remaining := await relay.drain(limit=2):  # a backend without row locks
            published += remaining  # (memory) drains one batch per call
        assert published == 7
        await eventually(lambda: len(handled.ids) == 7)
        await bus.idle()
        assert [str(i) for i in handled.ids] == expected
        assert handled.deliveries == 7
        async with backend.uow() as uow:
            assert await uow.outbox.unpublished(100) == []
    finally:
        await bus.close()


async def _drain_all(relay: OutboxRelay) -> None:
    while await relay.drain(limit=1):
        pass


async def test_drain_after_failures_still_delivers_each_once_in_order(
    backend: Backend, clock: FakeClock
) -> None:
    bus = InProcessBus()
    try:
        handled = await _consume(bus, backend.uow, clock)
        expected = await _record_follows(backend, clock, 6)
        for fail_at in (2, 3):  # a batch that fails stops the ones after it
            relay = OutboxRelay(backend.uow, CrashAfter(bus, fail_at), clock)  # type: ignore[arg-type]
            with pytest.raises(ConnectionError):
                await _drain_all(relay)
        await _drain_all(OutboxRelay(backend.uow, bus, clock))
        await eventually(lambda: len(handled.ids) == 6)
        await bus.idle()
        assert [str(i) for i in handled.ids] == expected
    finally:
        await bus.close()


@pytest.mark.postgres
@pytest.mark.nats
async def test_drain_to_jetstream_overlaps_batches_and_keeps_order(clock: FakeClock) -> None:
    async with (
        postgres_copy() as url,
        _migrated(url) as backend,
        jetstream_bus(fetch_timeout=0.2, batch=200) as bus,
    ):
        handled = await _consume(bus, backend.uow, clock)
        expected = await _record_follows(backend, clock, 2000)

        relay = OutboxRelay(backend.uow, bus, clock, window=RELAY_WINDOW)
        assert await relay.drain(limit=300) == 2000
        assert await relay.drain(limit=300) == 0

        await eventually(lambda: len(handled.ids) == 2000, within=60)
        assert [str(i) for i in handled.ids] == expected
        assert handled.deliveries == 2000


async def test_a_stopped_drain_leaves_no_batch_running(backend: Backend, clock: FakeClock) -> None:
    """Cancelling `drain` (the worker stopping) ends its batches too: their units of work
    roll back, so nothing holds the outbox afterwards."""

    class Stuck:
        async def publish(self, message: OutboxMessage) -> None:
            await asyncio.sleep(3600)

    await _record_follows(backend, clock, 3)
    relay = OutboxRelay(backend.uow, Stuck(), clock)  # type: ignore[arg-type]
    draining = asyncio.create_task(relay.drain(limit=1))
    await asyncio.sleep(0.2)
    draining.cancel()
    with pytest.raises(asyncio.CancelledError):
        await draining
    assert len(asyncio.all_tasks()) == 1  # this test's own
    async with backend.uow() as uow:
        assert len(await uow.outbox.unpublished(100)) == 3
