"""The recompute's aggregates, computed by the store (GROUP BY on SQLite and PostgreSQL, a
walk over the state in memory), equal a plain-Python reference on random data."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

import pytest

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.analytics.summaries import PLATFORM_ID, Scope, series
from showgeo_domain.entities.model import Entity
from showgeo_domain.events.model import Event, TicketType
from showgeo_domain.identity.model import User
from showgeo_domain.notifications.model import NotificationDraft, NotificationKind
from showgeo_domain.orders.model import LineKind, Order, OrderStatus, Ticket
from showgeo_domain.orders.revenue import line_refund
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.money import Money
from showgeo_domain.store.model import Product
from showgeo_domain.streaming.model import NO_GEOFENCE, AccessLevel, Stream
from tests.contract.builders import (
    a_line,
    a_product,
    a_ticket_type,
    a_user,
    an_entity,
    an_event,
    an_order,
    store,
)

Expected = dict[tuple[Scope, UUID], dict[str, float]]


@dataclass
class World:
    users: list[User]
    entities: list[Entity]
    events: list[Event]
    follows: set[tuple[UUID, UUID]] = field(default_factory=set)
    orders: list[Order] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    notifications: list[tuple[UUID, UUID | None]] = field(default_factory=list)
    """(recipient, entity)"""
    sessions: list[tuple[Event, str, datetime, datetime | None]] = field(default_factory=list)
    """(event, identity, joined, left)"""


async def build_world(uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock, seed: int) -> World:
    rng = random.Random(seed)
    users = [a_user(clock, f"user{i}") for i in range(rng.randint(3, 9))]
    entities = [an_entity(clock, f"entity-{i}") for i in range(rng.randint(2, 6))]
    events = [an_event(clock, rng.choice(entities), f"show {i}") for i in range(rng.randint(2, 6))]
    seats: list[TicketType] = [
        a_ticket_type(clock, e, price=Money(rng.choice([0, 999, 2500]), rng.choice(["EUR", "USD"])))
        for e in events
    ]
    shop: list[Product] = [a_product(clock, rng.choice(entities)) for _ in range(3)]
    await store(
        uow_factory,
        users=users,
        entities=entities,
        events=events,
        ticket_types=seats,
        products=shop,
    )
    world = World(users, entities, events)
    async with uow_factory() as uow:
        for _ in range(rng.randint(0, 15)):
            user, entity = rng.choice(users), rng.choice(entities)
            if (await uow.follows.add(user.id, entity.id, clock.tick())).changed:
                world.follows.add((user.id, entity.id))
        for _ in range(rng.randint(1, 12)):
            currency = rng.choice(["EUR", "USD"])
            items: list[TicketType | Product] = [s for s in seats if s.price.currency == currency]
            if currency == "EUR":
                items += shop
            if not items:
                continue
            entity_id = rng.choice(items).entity_id
            mine = [i for i in items if i.entity_id == entity_id]
            lines = [
                a_line(i, rng.randint(1, 3)) for i in rng.sample(mine, rng.randint(1, len(mine)))
            ]
            order = an_order(clock, rng.choice(users), *lines)
            fate = rng.choice(["pending", "paid", "paid", "partial", "refunded"])
            if fate != "pending":
                order.mark_paid(payment_ref=None, now=clock.tick())
                issued = Ticket.issue_for(order, clock.tick())
                for ticket in issued:
                    roll = rng.random()
                    if roll < 0.2:
                        ticket.void(clock.tick())
                    elif roll < 0.5:
                        ticket.check_in(clock.tick())
                world.tickets += issued
            if fate == "partial" and order.total.amount > 1:
                amount = rng.randint(1, order.total.amount - 1)
                order.refund(Money(amount, currency), reason=None, now=clock.tick())
            elif fate == "refunded" and order.total.amount > 0:
                order.refund(None, reason=None, now=clock.tick())
            assert await uow.orders.add(order)
            world.orders.append(order)
        await uow.tickets.add_many(world.tickets)
        for event in rng.sample(events, rng.randint(0, len(events))):
            await uow.streams.add(
                Stream.configure(
                    event_id=event.id,
                    entity_id=event.entity_id,
                    access_level=AccessLevel.PUBLIC,
                    geofence=NO_GEOFENCE,
                    now=clock.tick(),
                )
            )
            for n in range(rng.randint(0, 6)):
                identity = rng.choice([str(rng.choice(users).id), f"guest-{n}"])
                joined = clock.now() + timedelta(seconds=rng.randint(0, 100))
                sid = f"PA_{event.id.hex[:6]}_{n}"
                await uow.viewer_sessions.joined(event.id, sid, identity, joined)
                left = None
                if rng.random() < 0.7:
                    left = joined + timedelta(seconds=rng.randint(1, 5000))
                    await uow.viewer_sessions.left(event.id, sid, identity, left)
                world.sessions.append((event, identity, joined, left))
        for _ in range(rng.randint(0, 4)):
            about = rng.choice([None, rng.choice(entities).id])
            recipients = rng.sample(users, rng.randint(1, len(users)))
            draft = NotificationDraft(
                kind=NotificationKind.LIVE_NOW, title="t", body="b", entity_id=about
            )
            await uow.notifications.notify(
                [u.id for u in recipients], draft, new_id(), clock.tick()
            )
            world.notifications += [(u.id, about) for u in recipients]
        await uow.commit()
    return world


def reference(world: World) -> Expected:
    """What every metric must be, computed the plain way."""
    out: Expected = defaultdict(lambda: defaultdict(float))
    platform = out[(Scope.PLATFORM, PLATFORM_ID)]
    entity_of_event = {e.id: e.entity_id for e in world.events}
    for user_id, entity_id in world.follows:
        out[(Scope.ENTITY, entity_id)]["followers"] += 1
        out[(Scope.USER, user_id)]["following"] += 1
    for ticket in world.tickets:
        if ticket.voided_at is None:
            out[(Scope.ENTITY, entity_of_event[ticket.event_id])]["tickets_sold"] += 1
            out[(Scope.EVENT, ticket.event_id)]["tickets_sold"] += 1
            out[(Scope.USER, ticket.holder_id)]["tickets"] += 1
            platform["tickets_sold"] += 1
            if ticket.checked_in_at is not None:
                out[(Scope.EVENT, ticket.event_id)]["checked_in"] += 1
    for recipient, about in world.notifications:
        out[(Scope.USER, recipient)]["notifications_received"] += 1
        platform["notifications_sent"] += 1
        if about is not None:
            out[(Scope.ENTITY, about)]["notifications_sent"] += 1
    for order in world.orders:
        if order.status in (OrderStatus.PENDING, OrderStatus.EXPIRED, OrderStatus.CANCELLED):
            continue
        cur, net = order.total.currency, order.total.amount - order.refunded.amount
        out[(Scope.ENTITY, order.entity_id)][f"paid_orders.{cur}"] += 1
        out[(Scope.USER, order.buyer_id)]["paid_orders"] += 1
        out[(Scope.USER, order.buyer_id)][f"spent.{cur}"] += net
        platform["paid_orders"] += 1
        platform[f"revenue.{cur}"] += net
        for line in order.lines:
            total = line.total.amount
            line_net = total - line_refund(order.refunded.amount, total, order.total.amount)
            if line.kind is LineKind.PRODUCT:
                out[(Scope.ENTITY, line.entity_id)][f"store_revenue.{cur}"] += line_net
            else:
                assert line.event_id is not None
                out[(Scope.EVENT, line.event_id)][f"ticket_revenue.{cur}"] += line_net
    user_ids = {str(u.id): u.id for u in world.users}
    viewers: dict[tuple[Scope, UUID], set[str]] = defaultdict(set)
    for event, identity, joined, left in world.sessions:
        for key in (
            (Scope.ENTITY, event.entity_id),
            (Scope.EVENT, event.id),
            (Scope.PLATFORM, PLATFORM_ID),
        ):
            viewers[key].add(identity)
            if left is not None:
                out[key]["watch_seconds"] += (left - joined).total_seconds()
        if left is not None and identity in user_ids:
            out[(Scope.USER, user_ids[identity])]["watch_seconds"] += (
                left - joined
            ).total_seconds()
    for key, who in viewers.items():
        out[key]["viewers"] = len(who)
    platform["users"] = len(world.users)
    platform["entities"] = len(world.entities)
    platform["events"] = len(world.events)
    platform["follows"] = len(world.follows)
    return {k: {m: v for m, v in vals.items() if v != 0} for k, vals in out.items()}


async def stored(uow_factory: PlatformUnitOfWorkFactory, world: World, day: date) -> Expected:
    subjects = (
        [(Scope.ENTITY, e.id) for e in world.entities]
        + [(Scope.EVENT, e.id) for e in world.events]
        + [(Scope.USER, u.id) for u in world.users]
        + [(Scope.PLATFORM, PLATFORM_ID)]
    )
    found: Expected = {}
    async with uow_factory() as uow:
        for scope, subject in subjects:
            rows, recomputed = await uow.analytics.metric_rows(scope, subject, day, day)
            values = dict(series(rows, recomputed, day, day)[0].values)
            if values:
                found[(scope, subject)] = values
    return found


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
async def test_aggregates_match_a_plain_python_reference(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock, seed: int
) -> None:
    world = await build_world(uow_factory, clock, seed)
    day = clock.now().date()
    async with uow_factory() as uow:
        await uow.analytics.refresh_entity_metrics(day)
        await uow.analytics.refresh_event_metrics(day)
        await uow.analytics.refresh_user_metrics(day)
        await uow.analytics.refresh_platform_metrics(day)
        await uow.commit()
    assert await stored(uow_factory, world, day) == reference(world)


async def test_a_refresh_replaces_the_day_and_keeps_other_days(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    world = await build_world(uow_factory, clock, 7)
    yesterday = date(2025, 12, 31)
    day = clock.now().date()
    async with uow_factory() as uow:
        await uow.analytics.write_metrics(
            Scope.ENTITY, day, [(world.entities[0].id, "followers", 999.0)]
        )
        await uow.analytics.write_metrics(
            Scope.ENTITY, yesterday, [(world.entities[0].id, "followers", 5.0)]
        )
        await uow.analytics.refresh_entity_metrics(day)
        await uow.commit()
        rows, _ = await uow.analytics.metric_rows(
            Scope.ENTITY, world.entities[0].id, yesterday, day
        )
    followers = {r.day: r.value for r in rows if r.metric == "followers"}
    assert followers.get(yesterday) == 5.0
    expected = reference(world).get((Scope.ENTITY, world.entities[0].id), {}).get("followers")
    assert followers.get(day) == expected
