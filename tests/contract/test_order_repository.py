"""OrderRepository on every backend: orders come back with their lines and money, an
idempotency key is taken once per buyer (and a refused insert stores nothing), lists page
newest first, and the expiry sweep finds lapsed reservations oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.sqlalchemy.tables import order_lines, orders
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.entities.errors import EntityHasOrders
from showgeo_domain.events.model import TicketType
from showgeo_domain.identity.model import User
from showgeo_domain.orders.model import Order, OrderStatus
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import PageRequest
from showgeo_domain.store.model import Product
from tests.contract.builders import (
    a_line,
    a_product,
    a_ticket_type,
    a_user,
    an_entity,
    an_event,
    an_order,
    state_of,
    store,
)
from tests.contract.conftest import Backend


@dataclass
class Shop:
    ana: User
    bob: User
    seats: TicketType
    shirt: Product


@pytest.fixture
async def shop(uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock) -> Shop:
    ana, bob = a_user(clock, "ana"), a_user(clock, "bob")
    entity = an_entity(clock, "band")
    event = an_event(clock, entity)
    seats = a_ticket_type(clock, event, price=Money(2550, "EUR"))
    shirt = a_product(clock, entity)
    await store(
        uow_factory,
        users=[ana, bob],
        entities=[entity],
        events=[event],
        ticket_types=[seats],
        products=[shirt],
    )
    return Shop(ana, bob, seats, shirt)


async def _add(uow_factory: PlatformUnitOfWorkFactory, *placed: Order) -> list[bool]:
    async with uow_factory() as uow:
        added = [await uow.orders.add(order) for order in placed]
        await uow.commit()
    return added


async def test_an_order_comes_back_with_its_lines_and_money(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock, shop: Shop
) -> None:
    order = an_order(clock, shop.ana, a_line(shop.seats, 3), a_line(shop.shirt, 1), key="k-1")
    assert await _add(uow_factory, order) == [True]

    async with uow_factory() as uow:
        found = await uow.orders.get(order.id)
        locked = await uow.orders.get(order.id, for_update=True)
        by_key = await uow.orders.get_by_idempotency_key(shop.ana.id, "k-1")
        assert await uow.orders.get(new_id()) is None
        assert await uow.orders.get_by_idempotency_key(shop.bob.id, "k-1") is None
    assert found is not None
    assert locked is not None
    assert by_key is not None
    assert state_of(found) == state_of(locked) == state_of(by_key) == state_of(order)
    assert found.total == Money(3 * 2550 + 1999, "EUR")
    assert found.refunded == Money(0, "EUR")
    assert [line.quantity for line in found.lines] == [3, 1]  # in the order they were given
    assert found.lines[0].event_id == shop.seats.event_id
    assert found.lines[1].event_id is None
    assert found.expires_at == order.created_at + timedelta(minutes=15)
    assert found.created_at.tzinfo is not None

    # What may change is written back; lines and total stay.
    found.mark_paid(payment_ref="pi_123", now=clock.tick())
    found.refund(Money(500, "EUR"), reason="late", now=clock.tick())
    async with uow_factory() as uow:
        await uow.orders.update(found)
        await uow.commit()
    async with uow_factory() as uow:
        again = await uow.orders.get(order.id)
    assert again is not None
    assert state_of(again) == state_of(found)
    assert again.status is OrderStatus.PARTIALLY_REFUNDED
    assert (again.payment_ref, again.refunded) == ("pi_123", Money(500, "EUR"))


async def test_a_taken_idempotency_key_refuses_the_second_order_and_stores_nothing(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock, shop: Shop
) -> None:
    first = an_order(clock, shop.ana, a_line(shop.seats, 1), key="same")
    retry = an_order(clock, shop.ana, a_line(shop.seats, 2), a_line(shop.shirt), key="same")
    assert await _add(uow_factory, first) == [True]

    async with uow_factory() as uow:
        assert await uow.orders.add(retry) is False
        # The transaction is still usable after the refusal (no aborted PostgreSQL txn).
        other = an_order(clock, shop.bob, a_line(shop.shirt), key="same")
        assert await uow.orders.add(other) is True
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.orders.get(retry.id) is None
        kept = await uow.orders.get_by_idempotency_key(shop.ana.id, "same")
        listed = await uow.orders.list_for_buyer(shop.ana.id, PageRequest())
    assert kept is not None
    assert state_of(kept) == state_of(first)
    assert [o.id for o in listed.items] == [first.id]
    assert len(kept.lines) == 1  # none of the refused order's lines leaked in


async def test_orders_without_a_key_never_clash(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock, shop: Shop
) -> None:
    unkeyed = [an_order(clock, shop.ana, a_line(shop.seats)) for _ in range(3)]
    assert await _add(uow_factory, *unkeyed) == [True, True, True]
    async with uow_factory() as uow:
        page = await uow.orders.list_for_buyer(shop.ana.id, PageRequest())
    assert {o.id for o in page.items} == {o.id for o in unkeyed}


async def test_an_order_is_found_by_its_payment_reference(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock, shop: Shop
) -> None:
    paid, other = (an_order(clock, shop.ana, a_line(shop.seats)) for _ in range(2))
    await _add(uow_factory, paid, other)
    async with uow_factory() as uow:
        stored = await uow.orders.get(paid.id, for_update=True)
        assert stored is not None
        stored.mark_paid(payment_ref="pi_123", now=clock.now())
        await uow.orders.update(stored)
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.orders.get_by_payment_ref("pi_123", for_update=True)
        missing = await uow.orders.get_by_payment_ref("pi_unknown")
    assert found is not None
    assert found.id == paid.id
    assert [line.quantity for line in found.lines] == [line.quantity for line in paid.lines]
    assert missing is None


async def test_a_buyers_orders_page_newest_first(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock, shop: Shop
) -> None:
    same_moment = clock.tick()
    mine = [an_order(clock, shop.ana, a_line(shop.seats, i + 1)) for i in range(3)]
    mine += [an_order(clock, shop.ana, a_line(shop.shirt), at=same_moment) for _ in range(2)]
    theirs = an_order(clock, shop.bob, a_line(shop.seats))
    await _add(uow_factory, *mine, theirs)

    seen: list[Order] = []
    request = PageRequest(limit=2)
    async with uow_factory() as uow:
        while True:
            page = await uow.orders.list_for_buyer(shop.ana.id, request)
            assert len(page.items) <= 2
            seen += page.items
            if page.next_cursor is None:
                break
            request = PageRequest.parse(page.next_cursor, 2)
    expected = sorted(mine, key=lambda o: (o.created_at, o.id), reverse=True)
    assert [o.id for o in seen] == [o.id for o in expected]
    assert [state_of(o) for o in seen] == [state_of(o) for o in expected]  # lines included


async def test_overdue_lists_lapsed_pending_orders_oldest_first(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock, shop: Shop
) -> None:
    start = clock.now()
    oldest = an_order(clock, shop.ana, a_line(shop.seats), at=start)
    older = an_order(clock, shop.bob, a_line(shop.seats), at=start + timedelta(minutes=1))
    paid = an_order(clock, shop.ana, a_line(shop.shirt), at=start)
    paid.mark_paid(payment_ref=None, now=start + timedelta(minutes=2))
    fresh = an_order(clock, shop.ana, a_line(shop.seats), at=start + timedelta(minutes=10))
    await _add(uow_factory, fresh, paid, older, oldest)

    now = older.expires_at  # due exactly now counts as due
    async with uow_factory() as uow:
        assert await uow.orders.overdue(now, 10) == [oldest.id, older.id]
        assert await uow.orders.overdue(now, 1) == [oldest.id]
        assert await uow.orders.overdue(start, 10) == []
        later = await uow.orders.overdue(fresh.expires_at, 10)
    assert later == [oldest.id, older.id, fresh.id]


async def test_the_database_refuses_refunds_past_the_total_and_empty_lines(
    sql_backend: Backend, clock: FakeClock
) -> None:
    ana, entity = a_user(clock, "ana"), an_entity(clock, "band")
    shirt = a_product(clock, entity)
    await store(sql_backend.uow, users=[ana], entities=[entity], products=[shirt])
    order = an_order(clock, ana, a_line(shirt, 2))
    await _add(sql_backend.uow, order)
    assert sql_backend.engine is not None
    async with sql_backend.engine.connect() as connection:
        await connection.execute(update(orders).values(refunded_amount=order.total.amount))
        for refused in (
            update(orders).values(refunded_amount=order.total.amount + 1),
            update(orders).values(refunded_amount=-1),
            update(order_lines).values(quantity=0),
        ):
            with pytest.raises(IntegrityError):
                async with connection.begin_nested():
                    await connection.execute(refused)


async def test_an_entity_with_orders_cannot_be_deleted(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock, shop: Shop
) -> None:
    """Orders are financial records (RESTRICT): every backend refuses with a 409-kind
    Conflict before the database would abort the transaction."""
    order = an_order(clock, shop.ana, a_line(shop.shirt))
    await _add(uow_factory, order)
    async with uow_factory() as uow:
        with pytest.raises(EntityHasOrders):
            await uow.entities.delete(order.entity_id)
    async with uow_factory() as uow:
        assert await uow.entities.get(order.entity_id) is not None
        assert await uow.orders.get(order.id) is not None
