"""Consumers that keep media-server rooms in step with the event's life and its tickets.

`consumers(rooms)` lists `(consumer name, subject, work)` like the notifications context;
the API registers them beside the others. Every work is safe to run twice: creating a room
that exists, deleting one that is gone and removing someone not in it change nothing.
"""

from __future__ import annotations

import msgspec

from showgeo_domain.events.domain_events import EventPhaseChanged, EventWentLive
from showgeo_domain.events.model import EventPhase
from showgeo_domain.orders.domain_events import OrderRefunded
from showgeo_domain.shared.messaging import OutboxMessage, Work
from showgeo_domain.streaming.ports import StreamingUnitOfWork
from showgeo_domain.streaming.services import StreamRooms

_ENDED = {EventPhase.POST_LIVE.value, EventPhase.CANCELLED.value}


def consumers(rooms: StreamRooms) -> list[tuple[str, str, Work[StreamingUnitOfWork]]]:
    async def open_room(uow: StreamingUnitOfWork, message: OutboxMessage) -> None:
        event = msgspec.json.decode(message.payload, type=EventWentLive)
        await rooms.open_room(uow, event.event_id)

    async def close_room(uow: StreamingUnitOfWork, message: OutboxMessage) -> None:
        event = msgspec.json.decode(message.payload, type=EventPhaseChanged)
        if event.to_phase in _ENDED:
            await rooms.close_room(uow, event.event_id, event.occurred_at)

    async def revoke_refunded(uow: StreamingUnitOfWork, message: OutboxMessage) -> None:
        event = msgspec.json.decode(message.payload, type=OrderRefunded)
        await rooms.revoke_refunded(uow, event.order_id, event.buyer_id)

    return [
        ("streaming.open_room", EventWentLive.subject(), open_room),
        ("streaming.close_room", EventPhaseChanged.subject(), close_room),
        ("streaming.revoke_refunded", OrderRefunded.subject(), revoke_refunded),
    ]
