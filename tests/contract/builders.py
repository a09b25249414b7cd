"""Valid aggregates for contract tests, and a shortcut to store them in one committed unit."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.entities.model import Entity, EntityKind, MemberRole, Membership
from showgeo_domain.events.model import Event, TicketType, Venue
from showgeo_domain.identity.model import User
from showgeo_domain.orders.model import LineKind, Order, OrderLine
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.money import Money
from showgeo_domain.store.model import Product, ProductKind, Visibility


def a_user(
    clock: FakeClock, username: str, *, email: str | None = None, at: datetime | None = None
) -> User:
    return User.register(
        email=email or f"{username}@example.com",
        username=username,
        password_hash="argon2-hash",
        display_name=None,
        now=at or clock.tick(),
    )


def an_entity(
    clock: FakeClock,
    slug: str,
    *,
    name: str | None = None,
    kind: EntityKind = EntityKind.CREATOR,
    at: datetime | None = None,
) -> Entity:
    return Entity.create(
        name=name or slug.replace("-", " ").title(),
        slug=slug,
        kind=kind,
        bio=None,
        owner_id=new_id(),
        now=at or clock.tick(),
    )


def a_membership(entity: Entity, user: User, role: MemberRole, at: datetime) -> Membership:
    return Membership(entity.id, user.id, role, at)


def an_event(
    clock: FakeClock,
    entity: Entity,
    title: str = "A show",
    *,
    starts_at: datetime | None = None,
    venue: Venue | None = None,
) -> Event:
    now = clock.tick()
    return Event.create(
        entity_id=entity.id,
        title=title,
        starts_at=starts_at or now + timedelta(days=7),
        venue=venue,
        now=now,
    )


def a_ticket_type(
    clock: FakeClock,
    event: Event,
    name: str = "General admission",
    *,
    price: Money | None = None,
    quota: int = 100,
) -> TicketType:
    return TicketType.create(
        event=event, name=name, price=price or Money(2500, "EUR"), quota=quota, now=clock.tick()
    )


def a_product(
    clock: FakeClock,
    entity: Entity,
    title: str = "Tour shirt",
    *,
    kind: ProductKind = ProductKind.PHYSICAL,
    visibility: Visibility = Visibility.PUBLIC,
    stock: int | None = 50,
    published: bool = True,
) -> Product:
    product = Product.create(
        entity_id=entity.id,
        title=title,
        kind=kind,
        price=Money(1999, "EUR"),
        visibility=visibility,
        stock=stock if kind is ProductKind.PHYSICAL else None,
        now=clock.tick(),
    )
    if published:
        product.publish(clock.tick())
    return product


def a_line(item: TicketType | Product, quantity: int = 1) -> OrderLine:
    """A line as `Orders.place` would price it from the stored item."""
    if isinstance(item, TicketType):
        return OrderLine(
            kind=LineKind.TICKET,
            item_id=item.id,
            entity_id=item.entity_id,
            title=item.name,
            unit_price=item.price,
            quantity=quantity,
            event_id=item.event_id,
        )
    return OrderLine(
        kind=LineKind.PRODUCT,
        item_id=item.id,
        entity_id=item.entity_id,
        title=item.title,
        unit_price=item.price,
        quantity=quantity,
    )


def an_order(
    clock: FakeClock,
    buyer: User,
    *lines: OrderLine,
    key: str | None = None,
    at: datetime | None = None,
) -> Order:
    """A PENDING order of `lines` with a 15-minute reservation."""
    return Order.place(
        buyer_id=buyer.id,
        lines=list(lines),
        now=at or clock.tick(),
        idempotency_key=key,
        request_fingerprint="f" * 64 if key else None,
    )


def state_of(aggregate: object) -> dict[str, Any]:
    """The stored fields of a domain dataclass, for comparing what went in with what came
    back (aggregates compare by identity, and pending events are not stored)."""
    return {
        f.name: getattr(aggregate, f.name)
        for f in dataclasses.fields(aggregate)  # type: ignore[arg-type]
        if f.name != "pending_events"
    }


async def store(
    uow_factory: PlatformUnitOfWorkFactory,
    *,
    users: Sequence[User] = (),
    entities: Sequence[Entity] = (),
    events: Sequence[Event] = (),
    ticket_types: Sequence[TicketType] = (),
    products: Sequence[Product] = (),
) -> None:
    async with uow_factory() as uow:
        for user in users:
            await uow.users.add(user)
        for entity in entities:
            await uow.entities.add(entity)
        for event in events:
            await uow.events.add(event)
        for ticket_type in ticket_types:
            await uow.ticket_types.add(ticket_type)
        for product in products:
            await uow.products.add(product)
        await uow.commit()
