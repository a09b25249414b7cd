"""The listener on the memory adapters: after a fan-out it pushes each held user their own
row and count, only to users it holds sockets for; a re-sent message pushes nothing; reads
and resyncs send counts."""

from __future__ import annotations

import asyncio
import json
from uuid import UUID

import msgspec

from showgeo_adapters.memory import FakeClock, MemoryStore, memory_uow_factory
from showgeo_api.gateway import RealtimeListener, SocketHub
from showgeo_domain.notifications.domain_events import NotificationsCreated, NotificationsRead
from showgeo_domain.notifications.model import NotificationDraft, NotificationKind
from showgeo_domain.notifications.services import Notifications
from showgeo_domain.shared.domain_events import DomainEvent
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.messaging import OutboxMessage
from tests.contract.builders import a_user, an_entity, store


class Socket:
    def __init__(self) -> None:
        self.frames: list[dict[str, object]] = []

    async def send(self, text: str) -> None:
        self.frames.append(json.loads(text))

    async def close(self, code: int, reason: str) -> None:
        return None

    def events(self) -> list[tuple[object, object]]:
        return [(f["event"], f["data"]) for f in self.frames]


def message(event: DomainEvent) -> OutboxMessage:
    return OutboxMessage(
        event.id, type(event).subject(), msgspec.json.encode(event), event.occurred_at
    )


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


async def test_pushes_go_only_to_held_users_and_only_once() -> None:
    clock = FakeClock()
    uow = memory_uow_factory(MemoryStore())
    entity = an_entity(clock, "owls")
    held_fan, far_fan, stranger = (a_user(clock, n) for n in ("held", "far", "stranger"))
    await store(uow, users=[held_fan, far_fan, stranger], entities=[entity])
    source = new_id()
    async with uow() as unit:
        for fan in (held_fan, far_fan):
            await unit.follows.add(fan.id, entity.id, clock.tick())
        draft = NotificationDraft(
            NotificationKind.LIVE_NOW, "Owls is live now", "Tune in", {}, entity.id
        )
        await unit.notifications.fan_out_to_followers(entity.id, draft, source, clock.tick())
        await unit.commit()

    hub = SocketHub()
    listener = RealtimeListener(hub, Notifications(uow, clock))
    sockets: dict[UUID, Socket] = {}
    for user in (held_fan, stranger):  # far_fan follows but has no socket on this process
        sockets[user.id] = Socket()
        hub.open(user.id, sockets[user.id].send, sockets[user.id].close).start(
            json.dumps({"event": "connected", "data": {}})
        )
    created = NotificationsCreated(
        occurred_at=clock.now(), source_event_id=source, kind="LIVE_NOW", count=2
    )
    await listener(message(created))
    await listener(message(created))  # the relay re-sent it
    await settle()

    got = sockets[held_fan.id].frames[1:]
    assert [f["event"] for f in got] == ["notification", "unread_count"]
    assert got[0]["data"]["title"] == "Owls is live now"  # type: ignore[index]
    assert got[1]["data"] == {"count": 1}
    assert sockets[stranger.id].frames[1:] == []

    named = NotificationsCreated(
        occurred_at=clock.now(),
        source_event_id=source,
        kind="LIVE_NOW",
        count=1,
        user_ids=[far_fan.id],
    )
    await listener(message(named))  # for someone not held here
    read = NotificationsRead(occurred_at=clock.now(), user_id=stranger.id, count=1)
    await listener(message(read))
    await listener.resync()
    await settle()
    assert sockets[held_fan.id].events()[3:] == [("unread_count", {"count": 1})]  # the resync
    assert sockets[stranger.id].events()[1:] == [("unread_count", {"count": 0})] * 2


async def test_a_fan_out_larger_than_a_chunk_reaches_everyone_then_their_counts() -> None:
    clock = FakeClock()
    uow = memory_uow_factory(MemoryStore())
    entity = an_entity(clock, "owls")
    fans = [a_user(clock, f"fan{n}") for n in range(7)]
    await store(uow, users=fans, entities=[entity])
    source = new_id()
    async with uow() as unit:
        for fan in fans:
            await unit.follows.add(fan.id, entity.id, clock.tick())
        draft = NotificationDraft(NotificationKind.LIVE_NOW, "Owls live", "Now", {}, entity.id)
        await unit.notifications.fan_out_to_followers(entity.id, draft, source, clock.tick())
        await unit.commit()
    hub = SocketHub()
    order: list[tuple[UUID, str]] = []

    def socket_of(user: UUID) -> Socket:
        socket = Socket()

        async def send(text: str) -> None:
            order.append((user, json.loads(text)["event"]))

        socket.send = send  # type: ignore[method-assign]
        return socket

    for fan in fans:
        socket = socket_of(fan.id)
        hub.open(fan.id, socket.send, socket.close).start(json.dumps({"event": "connected"}))
    order.clear()
    listener = RealtimeListener(hub, Notifications(uow, clock), chunk=3)  # 3 + 3 + 1
    created = NotificationsCreated(
        occurred_at=clock.now(), source_event_id=source, kind="LIVE_NOW", count=7
    )
    await listener(message(created))
    await settle()
    events = [event for _, event in order]
    assert events == ["notification"] * 7 + ["unread_count"] * 7  # counts after everyone
    assert {user for user, _ in order} == {fan.id for fan in fans}
