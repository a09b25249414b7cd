"""Consumers that move analytics counters between recomputes, so numbers are never a day old.

Each adds to today's row of the metrics it touches (`AnalyticsRepository.increment`); the
next recompute replaces them with exact aggregates, and events from before a recompute's start
are left to it. Moved live: follows (entity followers,
user following, platform follows), paid orders (tickets, revenue, store revenue, spending),
refunds (revenue and spending), check-ins, new users, entities and events. Fan-out
notification counts and voided tickets wait for the recompute. Like every consumer these run
once per event (the inbox), so a redelivery adds nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TypeVar
from uuid import UUID

import msgspec

from showgeo_domain.analytics.ports import AnalyticsUnitOfWork
from showgeo_domain.analytics.summaries import PLATFORM_ID, Metric, Scope, money_metric
from showgeo_domain.entities.domain_events import EntityCreated
from showgeo_domain.events.domain_events import EventCreated
from showgeo_domain.follow.domain_events import EntityFollowed, EntityUnfollowed
from showgeo_domain.identity.domain_events import UserRegistered
from showgeo_domain.orders.domain_events import OrderPaid, OrderRefunded, TicketCheckedIn
from showgeo_domain.orders.model import LineKind
from showgeo_domain.orders.revenue import line_refund
from showgeo_domain.shared.domain_events import DomainEvent
from showgeo_domain.shared.messaging import OutboxMessage, Work

E = TypeVar("E", bound=DomainEvent)

Key = tuple[Scope, UUID, str]


def _decode(message: OutboxMessage, kind: type[E]) -> E:
    return msgspec.json.decode(message.payload, type=kind)


async def _add(uow: AnalyticsUnitOfWork, event: DomainEvent, changes: dict[Key, float]) -> None:
    """Apply `changes` to the event's day, unless a recompute that started after the event
    already counted it (a consumer that lags behind must not count it twice)."""
    counted_until = await uow.analytics.counted_until()
    if counted_until is not None and event.occurred_at < counted_until:
        return
    day = event.occurred_at.date()
    for (scope, subject, metric), delta in sorted(changes.items(), key=str):
        if delta:
            await uow.analytics.increment(scope, subject, metric, delta, day)


async def follow_changed(uow: AnalyticsUnitOfWork, message: OutboxMessage) -> None:
    event: EntityFollowed | EntityUnfollowed
    if message.subject == EntityFollowed.subject():
        event, delta = _decode(message, EntityFollowed), 1
    else:
        event, delta = _decode(message, EntityUnfollowed), -1
    await _add(
        uow,
        event,
        {
            (Scope.ENTITY, event.entity_id, Metric.FOLLOWERS.value): delta,
            (Scope.USER, event.user_id, Metric.FOLLOWING.value): delta,
            (Scope.PLATFORM, PLATFORM_ID, Metric.FOLLOWS.value): delta,
        },
    )


async def order_paid(uow: AnalyticsUnitOfWork, message: OutboxMessage) -> None:
    event = _decode(message, OrderPaid)
    order = await uow.orders.get(event.order_id)
    if order is None:
        return
    cur = order.total.currency
    changes: dict[Key, float] = defaultdict(float)
    changes[(Scope.ENTITY, order.entity_id, money_metric(Metric.PAID_ORDERS, cur))] += 1
    changes[(Scope.USER, order.buyer_id, Metric.PAID_ORDERS.value)] += 1
    changes[(Scope.USER, order.buyer_id, money_metric(Metric.SPENT, cur))] += order.total.amount
    changes[(Scope.PLATFORM, PLATFORM_ID, Metric.PAID_ORDERS.value)] += 1
    changes[(Scope.PLATFORM, PLATFORM_ID, money_metric(Metric.REVENUE, cur))] += order.total.amount
    for line in order.lines:
        if line.kind is LineKind.TICKET and line.event_id is not None:
            changes[(Scope.ENTITY, line.entity_id, Metric.TICKETS_SOLD.value)] += line.quantity
            changes[(Scope.EVENT, line.event_id, Metric.TICKETS_SOLD.value)] += line.quantity
            revenue = money_metric(Metric.TICKET_REVENUE, cur)
            changes[(Scope.EVENT, line.event_id, revenue)] += line.total.amount
            changes[(Scope.USER, order.buyer_id, Metric.TICKETS.value)] += line.quantity
            changes[(Scope.PLATFORM, PLATFORM_ID, Metric.TICKETS_SOLD.value)] += line.quantity
        elif line.kind is LineKind.PRODUCT:
            store = money_metric(Metric.STORE_REVENUE, cur)
            changes[(Scope.ENTITY, line.entity_id, store)] += line.total.amount
    await _add(uow, event, changes)


async def order_refunded(uow: AnalyticsUnitOfWork, message: OutboxMessage) -> None:
    """Money only: the refund's share of each line, pro rata and floored exactly as the
    revenue report and the recompute attribute it (`line_refund` before minus after)."""
    event = _decode(message, OrderRefunded)
    order = await uow.orders.get(event.order_id)
    if order is None:
        return
    cur, total = event.currency, order.total.amount
    before = event.refunded_total - event.amount
    changes: dict[Key, float] = defaultdict(float)
    changes[(Scope.USER, order.buyer_id, money_metric(Metric.SPENT, cur))] -= event.amount
    changes[(Scope.PLATFORM, PLATFORM_ID, money_metric(Metric.REVENUE, cur))] -= event.amount
    for line in order.lines:
        share = line_refund(event.refunded_total, line.total.amount, total) - line_refund(
            before, line.total.amount, total
        )
        if line.kind is LineKind.PRODUCT:
            key = (Scope.ENTITY, line.entity_id, money_metric(Metric.STORE_REVENUE, cur))
            changes[key] -= share
        elif line.event_id is not None:
            key = (Scope.EVENT, line.event_id, money_metric(Metric.TICKET_REVENUE, cur))
            changes[key] -= share
    await _add(uow, event, changes)


async def checked_in(uow: AnalyticsUnitOfWork, message: OutboxMessage) -> None:
    event = _decode(message, TicketCheckedIn)
    await _add(uow, event, {(Scope.EVENT, event.event_id, Metric.CHECKED_IN.value): 1})


async def platform_grew(uow: AnalyticsUnitOfWork, message: OutboxMessage) -> None:
    metric = _GROWTH[message.subject]
    event = _decode(message, _GROWTH_EVENTS[message.subject])
    await _add(uow, event, {(Scope.PLATFORM, PLATFORM_ID, metric.value): 1})


_GROWTH_EVENTS: dict[str, type[DomainEvent]] = {
    UserRegistered.subject(): UserRegistered,
    EntityCreated.subject(): EntityCreated,
    EventCreated.subject(): EventCreated,
}
_GROWTH = {
    UserRegistered.subject(): Metric.USERS,
    EntityCreated.subject(): Metric.ENTITIES,
    EventCreated.subject(): Metric.EVENTS,
}

CONSUMERS: list[tuple[str, str, Work[AnalyticsUnitOfWork]]] = [
    ("analytics.followed", EntityFollowed.subject(), follow_changed),
    ("analytics.unfollowed", EntityUnfollowed.subject(), follow_changed),
    ("analytics.order_paid", OrderPaid.subject(), order_paid),
    ("analytics.order_refunded", OrderRefunded.subject(), order_refunded),
    ("analytics.checked_in", TicketCheckedIn.subject(), checked_in),
    ("analytics.user_registered", UserRegistered.subject(), platform_grew),
    ("analytics.entity_created", EntityCreated.subject(), platform_grew),
    ("analytics.event_created", EventCreated.subject(), platform_grew),
]
