"""Putting generated aggregates into a unit of work, so use cases can be run against them.

Works with any `UnitOfWorkFactory`: the in-memory fakes (`showgeo_adapters.memory`), SQLite
or PostgreSQL. Order lines name ticket types and products by id; on a database with foreign
keys, store those items (and their events and entities) first, or place orders through the
`Orders` use case instead."""

from __future__ import annotations

from showgeo_domain.entities.model import Entity
from showgeo_domain.events.model import Event, TicketType
from showgeo_domain.identity.model import User
from showgeo_domain.orders.model import Order
from showgeo_domain.orders.ports import OrdersUnitOfWork
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory
from showgeo_domain.store.model import Product
from showgeo_domain.testing.entities import Team

Storable = User | Entity | Team | Event | TicketType | Product | Order


async def store_all(
    uow_factory: UnitOfWorkFactory[OrdersUnitOfWork], *aggregates: Storable
) -> None:
    """Add every aggregate in one committed unit, in the order given (a `Team` adds its
    people, its entity and its memberships). Nothing lands in the outbox: generated
    aggregates carry no pending events."""
    async with uow_factory() as uow:
        for item in aggregates:
            if isinstance(item, Team):
                for person in item.people.values():
                    await uow.users.add(person)
                await uow.entities.add(item.entity)
                for membership in item.roster.members.values():
                    await uow.memberships.add(membership)
            elif isinstance(item, User):
                await uow.users.add(item)
            elif isinstance(item, Entity):
                await uow.entities.add(item)
            elif isinstance(item, Event):
                await uow.events.add(item)
            elif isinstance(item, TicketType):
                await uow.ticket_types.add(item)
            elif isinstance(item, Product):
                await uow.products.add(item)
            else:
                await uow.orders.add(item)
        await uow.commit()
