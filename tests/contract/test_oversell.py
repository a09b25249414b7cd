"""No overselling, through the `Orders` use cases on every backend.

200 buyers rush 50 seats (or 50 shirts) at once: exactly 50 orders are placed, the other
150 get `SoldOut`, and exactly 50 units are held. When the reservations lapse the sweep
gives them back and the next buyers can have them. The contention happens where it would in
production: in the database's conditional UPDATE (PostgreSQL row lock, SQLite's single
writer), or the memory store's one-at-a-time units of work.

PostgreSQL here allows 100 connections (`SHOW max_connections`) shared with other test
runs, so the rush gets its own pool of at most 40 and the remaining buyers queue on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.sqlalchemy import create_engine, sql_uow_factory
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.entities.model import EntityKind
from showgeo_domain.entities.services import Entities
from showgeo_domain.events.services import EventDetails, Events, TicketTypeDetails
from showgeo_domain.identity.model import Actor, User
from showgeo_domain.orders.errors import IdempotencyKeyReused, SoldOut
from showgeo_domain.orders.model import Order, OrderStatus
from showgeo_domain.orders.services import ItemRequest, Orders
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import PageRequest
from showgeo_domain.store.model import ProductKind, Visibility
from showgeo_domain.store.services import ProductDetails, Store
from tests.contract.builders import a_user
from tests.contract.conftest import Backend

BUYERS = 200
UNITS = 50
RUSH_POOL = 20  # pool_size; create_engine allows as many again in overflow: 40 connections


@pytest.fixture
async def rush_uow(backend: Backend) -> AsyncIterator[PlatformUnitOfWorkFactory]:
    if backend.name != "postgresql":
        yield backend.uow
        return
    assert backend.engine is not None
    engine = create_engine(
        backend.engine.url.render_as_string(hide_password=False), pool_size=RUSH_POOL
    )
    try:
        yield sql_uow_factory(engine)
    finally:
        await engine.dispose()


@dataclass
class Sale:
    orders: Orders
    seats: ItemRequest
    shirts: ItemRequest


@pytest.fixture
async def sale(rush_uow: PlatformUnitOfWorkFactory, clock: FakeClock) -> Sale:
    """50 seats and 50 shirts, set up through the use cases like a real organiser would."""
    owner = a_user(clock, "olga")
    await _store_users(rush_uow, [owner])
    actor = Actor(owner.id)
    entity = await Entities(rush_uow, clock).create(
        actor, name="The Band", slug="the-band", kind=EntityKind.CREATOR
    )
    events = Events(rush_uow, clock)
    show = await events.create(
        actor, entity.id, EventDetails(title="Live", starts_at=clock.now() + timedelta(days=7))
    )
    seats = await events.add_ticket_type(
        actor, show.id, TicketTypeDetails(name="General", price=Money(2500, "EUR"), quota=UNITS)
    )
    shop = Store(rush_uow, clock)
    shirt = await shop.create(
        actor,
        entity.id,
        ProductDetails(
            title="Tour shirt",
            kind=ProductKind.PHYSICAL,
            price=Money(1999, "EUR"),
            visibility=Visibility.PUBLIC,
            stock=UNITS,
        ),
    )
    await shop.publish(actor, shirt.id)
    return Sale(
        Orders(rush_uow, clock),
        ItemRequest(ticket_type_id=seats.id, quantity=1),
        ItemRequest(product_id=shirt.id, quantity=1),
    )


async def _store_users(uow_factory: PlatformUnitOfWorkFactory, users: list[User]) -> None:
    """Straight through the repository, in one unit: argon2 for 200 users would dominate."""
    async with uow_factory() as uow:
        for user in users:
            await uow.users.add(user)
        await uow.commit()


async def _buyers(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock, prefix: str
) -> list[Actor]:
    users = [a_user(clock, f"{prefix}{i}") for i in range(BUYERS)]
    await _store_users(uow_factory, users)
    return [Actor(u.id) for u in users]


async def _held(uow_factory: PlatformUnitOfWorkFactory, item: ItemRequest) -> tuple[int, int]:
    """(sold, reserved) of the item as committed."""
    async with uow_factory() as uow:
        if item.ticket_type_id is not None:
            found = await uow.ticket_types.get(item.ticket_type_id)
        else:
            assert item.product_id is not None
            found = await uow.products.get(item.product_id)
    assert found is not None
    return found.sold, found.reserved


@pytest.mark.parametrize("what", ["seats", "shirts"])
async def test_a_rush_sells_exactly_the_quota_and_expiry_gives_it_back(
    rush_uow: PlatformUnitOfWorkFactory, clock: FakeClock, sale: Sale, what: str
) -> None:
    item: ItemRequest = getattr(sale, what)
    buyers = await _buyers(rush_uow, clock, "buyer")

    results = await asyncio.gather(
        *(sale.orders.place(buyer, [item]) for buyer in buyers), return_exceptions=True
    )

    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, SoldOut)]
    assert (len(placed), len(refused)) == (UNITS, BUYERS - UNITS), [
        r for r in results if not isinstance(r, Order | SoldOut)
    ][:3]
    assert await _held(rush_uow, item) == (0, UNITS)
    assert {o.status for o in placed} == {OrderStatus.PENDING}

    clock.advance(timedelta(minutes=15, seconds=1))
    assert await sale.orders.expire_overdue() == UNITS
    assert await _held(rush_uow, item) == (0, 0)
    async with rush_uow() as uow:
        stored = [await uow.orders.get(o.id) for o in placed]
    assert {o.status for o in stored if o is not None} == {OrderStatus.EXPIRED}
    assert None not in stored

    # The quota is for sale again: the ones who were turned away can have it now.
    late = [b for b, r in zip(buyers, results, strict=True) if isinstance(r, SoldOut)]
    again = await asyncio.gather(*(sale.orders.place(b, [item]) for b in late[:UNITS]))
    assert len(again) == UNITS
    assert await _held(rush_uow, item) == (0, UNITS)
    with pytest.raises(SoldOut):
        await sale.orders.place(late[UNITS], [item])


async def test_a_retried_order_with_one_key_is_placed_once(
    rush_uow: PlatformUnitOfWorkFactory, clock: FakeClock, sale: Sale
) -> None:
    ana = a_user(clock, "ana")
    await _store_users(rush_uow, [ana])
    buyer = Actor(ana.id)
    body = [ItemRequest(ticket_type_id=sale.seats.ticket_type_id, quantity=2), sale.shirts]

    first, second = await asyncio.gather(
        sale.orders.place(buyer, body, idempotency_key="checkout-1"),
        sale.orders.place(buyer, list(reversed(body)), idempotency_key="checkout-1"),
    )

    assert first.id == second.id
    page = await sale.orders.of_buyer(buyer, PageRequest())
    assert [o.id for o in page.items] == [first.id]
    assert await _held(rush_uow, sale.seats) == (0, 2)  # reserved once, not twice
    assert await _held(rush_uow, sale.shirts) == (0, 1)

    with pytest.raises(IdempotencyKeyReused):
        await sale.orders.place(buyer, [sale.shirts], idempotency_key="checkout-1")
    assert await _held(rush_uow, sale.shirts) == (0, 1)
