"""EventBus on the in-process bus and on NATS JetStream: exact payloads, duplicates dropped
by id, every consumer gets its own copy, failures redelivered, hopeless messages
dead-lettered with the reason, subjects filtered by NATS wildcards."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import msgspec
import nats
import pytest

from showgeo_adapters.inprocess import InProcessBus, subject_matches
from showgeo_adapters.nats import DEAD_REASON_HEADER, JetStreamBus
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.messaging import OutboxMessage
from tests.support.nats import NATS_URL, jetstream_bus
from tests.support.waiting import eventually

Bus = InProcessBus | JetStreamBus


@pytest.fixture(params=["inprocess", pytest.param("nats", marks=pytest.mark.nats)])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    if request.param == "inprocess":
        local = InProcessBus(backoff=(0.05,), max_deliver=3)
        try:
            yield local
        finally:
            await local.close()
    else:
        async with jetstream_bus(backoff=(0.1,), max_deliver=3, fetch_timeout=0.2) as remote:
            yield remote


def a_message(subject: str = "showgeo.events.event_went_live", **data: Any) -> OutboxMessage:
    event_id = new_id()
    at = datetime(2026, 5, 1, 20, 0, tzinfo=UTC)
    payload = msgspec.json.encode({"id": str(event_id), "occurred_at": at, **data})
    return OutboxMessage(id=event_id, subject=subject, payload=payload, occurred_at=at)


class Recorder:
    def __init__(self, fail_times: int = 0) -> None:
        self.received: list[OutboxMessage] = []
        self.attempts = 0
        self._fail_times = fail_times

    async def __call__(self, message: OutboxMessage) -> None:
        self.attempts += 1
        if self.attempts <= self._fail_times:
            raise RuntimeError(f"boom {self.attempts}")
        self.received.append(message)


async def settle(bus: Bus) -> None:
    """Give a bus time to deliver what it would (to check that nothing more arrives)."""
    if isinstance(bus, InProcessBus):
        await bus.idle()
    await asyncio.sleep(0.5)


async def test_a_handler_receives_the_exact_message(bus: Bus) -> None:
    got = Recorder()
    await bus.subscribe("notify", "showgeo.events.>", got)
    sent = a_message(event_id="e-1")
    await bus.publish(sent)
    await eventually(lambda: len(got.received) == 1)
    assert got.received == [sent]
    assert await bus.ping()


async def test_the_same_id_twice_is_delivered_once(bus: Bus) -> None:
    got = Recorder()
    await bus.subscribe("notify", "showgeo.events.>", got)
    first, second = a_message(), a_message()
    await bus.publish(first)
    await bus.publish(first)
    await bus.publish(second)
    await bus.publish(first)
    await eventually(lambda: len(got.received) == 2)
    await settle(bus)
    assert [m.id for m in got.received] == [first.id, second.id]


async def test_every_consumer_gets_its_copy(bus: Bus) -> None:
    notify, analytics = Recorder(), Recorder()
    # Dotted names, like the platform's own (`notifications.live_now`): NATS forbids dots
    # in durable names, so the bus must map them.
    await bus.subscribe("notifications.live_now", "showgeo.events.>", notify)
    await bus.subscribe("analytics.counters", "showgeo.>", analytics)
    sent = a_message()
    await bus.publish(sent)
    await eventually(lambda: len(notify.received) == len(analytics.received) == 1)
    assert notify.received == analytics.received == [sent]


async def test_a_failing_handler_is_redelivered(bus: Bus) -> None:
    got = Recorder(fail_times=1)
    await bus.subscribe("notify", "showgeo.events.>", got)
    sent = a_message()
    await bus.publish(sent)
    await eventually(lambda: len(got.received) == 1)
    assert got.attempts == 2
    assert got.received == [sent]


async def test_a_hopeless_message_is_dead_lettered_with_the_reason(bus: Bus) -> None:
    got = Recorder(fail_times=1000)
    await bus.subscribe("notify", "showgeo.events.>", got)
    sent = a_message()
    if isinstance(bus, InProcessBus):
        await bus.publish(sent)
        await eventually(lambda: len(bus.dead_letters) == 1)
        dead = bus.dead_letters[0]
        assert (dead.consumer, dead.message, dead.attempts) == ("notify", sent, 3)
        assert dead.reason == "RuntimeError: boom 3"
    else:
        nc = await nats.connect(NATS_URL)
        try:
            dlq = await nc.jetstream().subscribe(f"{bus.prefix}.dlq.notify", stream=bus.stream)
            await bus.publish(sent)
            msg = await dlq.next_msg(timeout=10)
            assert msg.data == sent.payload
            assert msg.headers is not None
            assert msg.headers[DEAD_REASON_HEADER] == "RuntimeError: boom 3"
            assert msg.headers["Showgeo-Event-Id"] == str(sent.id)
            await dlq.unsubscribe()
        finally:
            await nc.close()
    assert got.attempts == 3
    await settle(bus)
    assert got.attempts == 3  # no further delivery once dead


async def test_subjects_filter_what_a_consumer_gets(bus: Bus) -> None:
    events, live = Recorder(), Recorder()
    await bus.subscribe("events", "showgeo.events.>", events)
    await bus.subscribe("live", "showgeo.*.event_went_live", live)
    went_live = a_message("showgeo.events.event_went_live")
    created = a_message("showgeo.events.event_created")
    product = a_message("showgeo.store.product_created")
    for message in (product, went_live, created):
        await bus.publish(message)
    await eventually(lambda: len(events.received) == 2 and len(live.received) == 1)
    await settle(bus)
    assert [m.id for m in events.received] == [went_live.id, created.id]
    assert [m.id for m in live.received] == [went_live.id]


@pytest.mark.parametrize(
    ("pattern", "subject", "matches"),
    [
        ("showgeo.events.>", "showgeo.events.event_went_live", True),
        ("showgeo.events.>", "showgeo.events", False),
        ("showgeo.events.>", "showgeo.store.product_created", False),
        ("showgeo.>", "showgeo.a.b.c", True),
        ("showgeo.*.event_went_live", "showgeo.events.event_went_live", True),
        ("showgeo.*", "showgeo.events.event_went_live", False),
        ("showgeo.events.event_created", "showgeo.events.event_created", True),
        ("showgeo.events.event_created", "showgeo.events.event_created.x", False),
    ],
)
def test_nats_wildcards(pattern: str, subject: str, matches: bool) -> None:
    assert subject_matches(pattern, subject) is matches


async def _peer(bus: Bus) -> Bus:
    """Another process's connection to the same bus (the in-process bus is one process)."""
    if isinstance(bus, InProcessBus):
        return bus
    peer = JetStreamBus(NATS_URL, stream=bus.stream, subject_prefix=bus.prefix)
    await peer.connect()
    return peer


async def test_every_listener_hears_every_message_beside_the_consumers(bus: Bus) -> None:
    peer = await _peer(bus)
    try:
        here, there, consumer = Recorder(), Recorder(), Recorder()
        await bus.listen("showgeo.notifications.>", here)
        await peer.listen("showgeo.notifications.>", there)
        await bus.subscribe("worker", "showgeo.notifications.>", consumer)
        sent = a_message("showgeo.notifications.notifications_read", user_id="u-1", count=1)
        await bus.publish(sent)
        await bus.publish(a_message("showgeo.events.event_went_live"))  # not listened to
        await eventually(lambda: len(here.received) == len(there.received) == 1)
        await eventually(lambda: len(consumer.received) == 1)
        await settle(bus)
        assert here.received == there.received == consumer.received == [sent]
    finally:
        if peer is not bus:
            await peer.close()


async def test_a_failing_listener_is_not_retried_and_keeps_listening(bus: Bus) -> None:
    got = Recorder(fail_times=1)
    await bus.listen("showgeo.>", got)
    first, second = a_message(), a_message()
    await bus.publish(first)
    await bus.publish(second)
    await eventually(lambda: len(got.received) == 1)
    await settle(bus)
    assert got.attempts == 2
    assert got.received == [second]
