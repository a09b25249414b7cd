"""Consumers that turn other contexts' events into notifications.

`CONSUMERS` lists `(consumer name, subject, work)`; the API wraps each work in
`idempotent_consumer` and subscribes it to the bus. Every work decodes the message into its
event type and fans out with the event's id as `source_event_id`, so even without the inbox a
second run adds nothing (the stores' unique key drops the duplicates).
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar
from uuid import UUID

import msgspec

from showgeo_domain.entities.model import MemberRole
from showgeo_domain.events.domain_events import EventPhaseChanged, EventWentLive
from showgeo_domain.follow.domain_events import EntityFollowed
from showgeo_domain.notifications.domain_events import NotificationsCreated
from showgeo_domain.notifications.model import NotificationDraft, NotificationKind
from showgeo_domain.notifications.ports import NotificationsUnitOfWork
from showgeo_domain.orders.domain_events import OrderPaid, OrderRefunded
from showgeo_domain.shared.domain_events import DomainEvent
from showgeo_domain.shared.messaging import OutboxMessage, Work
from showgeo_domain.shared.money import Money
from showgeo_domain.store.domain_events import ProductDropped
from showgeo_domain.store.model import Visibility

E = TypeVar("E", bound=DomainEvent)

_PHASE_WORDS = {
    "LIVE": "is live now",
    "POST_LIVE": "has ended",
    "CANCELLED": "was cancelled",
    "PRE_LIVE": "is coming up",
}


def _decode(message: OutboxMessage, kind: type[E]) -> E:
    return msgspec.json.decode(message.payload, type=kind)


async def _entity_name(uow: NotificationsUnitOfWork, entity_id: UUID) -> str:
    entity = await uow.entities.get(entity_id)
    return entity.name if entity is not None else "An entity you follow"


def _amount(amount: int, currency: str) -> str:
    return Money(amount, currency).format()


async def live_now(uow: NotificationsUnitOfWork, message: OutboxMessage) -> None:
    event = _decode(message, EventWentLive)
    name = await _entity_name(uow, event.entity_id)
    draft = NotificationDraft(
        kind=NotificationKind.LIVE_NOW,
        title=f"{name} is live now",
        body=f"{event.title} has started. Tune in!",
        data={"event_id": str(event.event_id), "entity_id": str(event.entity_id)},
        entity_id=event.entity_id,
    )
    now = message_time(event)
    added = await uow.notifications.fan_out_to_followers(event.entity_id, draft, event.id, now)
    # Ticket holders too (the stream is what they paid for); someone both following and
    # holding a ticket is told once: the inbox is unique by (user, source event, kind).
    added += await uow.notifications.fan_out_to_ticket_holders(event.event_id, draft, event.id, now)
    announce(uow, event, draft.kind, added)


async def phase_update(uow: NotificationsUnitOfWork, message: OutboxMessage) -> None:
    event = _decode(message, EventPhaseChanged)
    found = await uow.events.get(event.event_id)
    title = found.title if found is not None else "An event"
    name = await _entity_name(uow, event.entity_id)
    words = _PHASE_WORDS.get(event.to_phase, f"moved to {event.to_phase}")
    draft = NotificationDraft(
        kind=NotificationKind.PHASE_UPDATE,
        title=f"{title} {words}",
        body=f"{name}: {title} {words}.",
        data={
            "event_id": str(event.event_id),
            "entity_id": str(event.entity_id),
            "from_phase": event.from_phase,
            "to_phase": event.to_phase,
        },
        entity_id=event.entity_id,
    )
    now = message_time(event)
    added = await uow.notifications.fan_out_to_followers(event.entity_id, draft, event.id, now)
    added += await uow.notifications.fan_out_to_ticket_holders(event.event_id, draft, event.id, now)
    announce(uow, event, draft.kind, added)


async def new_drop(uow: NotificationsUnitOfWork, message: OutboxMessage) -> None:
    event = _decode(message, ProductDropped)
    if event.visibility not in (Visibility.PUBLIC, Visibility.FOLLOWERS):
        return  # HIDDEN products are for the team only: nobody is told
    name = await _entity_name(uow, event.entity_id)
    draft = NotificationDraft(
        kind=NotificationKind.NEW_DROP,
        title=f"New from {name}: {event.title}",
        body=f"{event.title} is out now for {_amount(event.price_amount, event.price_currency)}.",
        data={"product_id": str(event.product_id), "entity_id": str(event.entity_id)},
        entity_id=event.entity_id,
    )
    added = await uow.notifications.fan_out_to_followers(
        event.entity_id, draft, event.id, message_time(event)
    )
    announce(uow, event, draft.kind, added)


async def new_follower(uow: NotificationsUnitOfWork, message: OutboxMessage) -> None:
    event = _decode(message, EntityFollowed)
    team = await uow.memberships.list_for_entity(event.entity_id)
    recipients = [
        m.user_id
        for m in team
        if m.role in (MemberRole.OWNER, MemberRole.ADMIN) and m.user_id != event.user_id
    ]
    if not recipients:
        return
    follower = await uow.users.get(event.user_id)
    who = follower.username if follower is not None else "Someone"
    name = await _entity_name(uow, event.entity_id)
    draft = NotificationDraft(
        kind=NotificationKind.NEW_FOLLOWER,
        title=f"{who} followed {name}",
        body=f"{name} has a new follower: {who}.",
        data={"entity_id": str(event.entity_id), "user_id": str(event.user_id)},
        entity_id=event.entity_id,
    )
    added = await uow.notifications.notify(recipients, draft, event.id, message_time(event))
    announce(uow, event, draft.kind, added, recipients)


async def order_paid(uow: NotificationsUnitOfWork, message: OutboxMessage) -> None:
    event = _decode(message, OrderPaid)
    name = await _entity_name(uow, event.entity_id)
    draft = NotificationDraft(
        kind=NotificationKind.ORDER_PAID,
        title="Payment received",
        body=f"Your order from {name} is paid ({_amount(event.total_amount, event.currency)}).",
        data={"order_id": str(event.order_id), "entity_id": str(event.entity_id)},
    )
    added = await uow.notifications.notify([event.buyer_id], draft, event.id, message_time(event))
    announce(uow, event, draft.kind, added, [event.buyer_id])


async def refund_issued(uow: NotificationsUnitOfWork, message: OutboxMessage) -> None:
    event = _decode(message, OrderRefunded)
    name = await _entity_name(uow, event.entity_id)
    draft = NotificationDraft(
        kind=NotificationKind.REFUND_ISSUED,
        title="Refund issued",
        body=f"{name} refunded {_amount(event.amount, event.currency)} of your order.",
        data={
            "order_id": str(event.order_id),
            "entity_id": str(event.entity_id),
            "amount": str(event.amount),
            "currency": event.currency,
        },
    )
    added = await uow.notifications.notify([event.buyer_id], draft, event.id, message_time(event))
    announce(uow, event, draft.kind, added, [event.buyer_id])


def announce(
    uow: NotificationsUnitOfWork,
    source: DomainEvent,
    kind: NotificationKind,
    added: int,
    user_ids: list[UUID] | None = None,
) -> None:
    """Tell the realtime gateways (through the outbox, in this transaction) that inboxes
    grew; nothing when a redelivery or a mute added no row."""
    if added:
        uow.record(
            NotificationsCreated(
                occurred_at=message_time(source),
                source_event_id=source.id,
                kind=kind.value,
                count=added,
                user_ids=user_ids,
            )
        )


def message_time(event: DomainEvent) -> datetime:
    """Notifications are stamped with the event's time, so a late or repeated delivery sorts
    where the event happened, not where the consumer caught up."""
    return event.occurred_at


CONSUMERS: list[tuple[str, str, Work[NotificationsUnitOfWork]]] = [
    ("notifications.live_now", EventWentLive.subject(), live_now),
    ("notifications.phase_update", EventPhaseChanged.subject(), phase_update),
    ("notifications.new_drop", ProductDropped.subject(), new_drop),
    ("notifications.new_follower", EntityFollowed.subject(), new_follower),
    ("notifications.order_paid", OrderPaid.subject(), order_paid),
    ("notifications.refund_issued", OrderRefunded.subject(), refund_issued),
]
