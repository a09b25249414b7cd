"""The JetStream bus outlives a NATS restart: it reconnects by itself, tells who asked
(`on_reconnect`, how the gateway resyncs its sockets), and listeners hear again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from showgeo_adapters.nats import JetStreamBus
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.messaging import OutboxMessage
from tests.support.processes import throwaway_nats
from tests.support.waiting import eventually

pytestmark = pytest.mark.nats


def a_message() -> OutboxMessage:
    event_id, at = new_id(), datetime(2026, 5, 1, tzinfo=UTC)
    payload = msgspec.json.encode(
        {"id": str(event_id), "occurred_at": at, "user_id": "u", "count": 1}
    )
    return OutboxMessage(event_id, "showgeo.notifications.notifications_read", payload, at)


async def test_the_bus_reconnects_and_says_so(tmp_path: Path) -> None:
    with throwaway_nats(tmp_path) as nats:
        await nats.ready()
        bus = JetStreamBus(nats.url)
        await bus.connect()
        try:
            reconnects: list[int] = []
            heard: list[OutboxMessage] = []

            async def resync() -> None:
                reconnects.append(1)

            async def hear(message: OutboxMessage) -> None:
                heard.append(message)

            bus.on_reconnect(resync)
            await bus.listen("showgeo.notifications.>", hear)

            nats.stop()
            await asyncio.sleep(0.5)
            assert not await bus.ping()
            nats.start()
            await nats.ready()
            await eventually(lambda: reconnects == [1], within=20)
            assert await bus.ping()

            sent = a_message()
            await bus.publish(sent)
            await eventually(lambda: heard == [sent])
        finally:
            await bus.close()
