"""What refunds and revenue need from storage, on every backend: voiding an order's tickets
in one update (optionally one event's only), finding the paid orders of an event, and an
entity's revenue aggregated by the store with refunds attributed to lines pro rata (floored),
the same numbers whatever computes them."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from uuid import UUID

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.orders.model import Order, Ticket
from showgeo_domain.orders.revenue import CurrencyRevenue, EventRevenue, ProductRevenue
from showgeo_domain.shared.money import Money
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


async def _save(
    uow_factory: PlatformUnitOfWorkFactory, *placed: Order, tickets: bool = True
) -> None:
    async with uow_factory() as uow:
        for order in placed:
            assert await uow.orders.add(order)
            if tickets and order.paid_at is not None:
                await uow.tickets.add_many(Ticket.issue_for(order, order.paid_at))
        await uow.commit()


def _paid(order: Order, clock: FakeClock) -> Order:
    order.mark_paid(payment_ref=None, now=clock.tick())
    return order


async def test_void_for_order_voids_valid_tickets_once_and_by_event(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana, entity = a_user(clock, "ana"), an_entity(clock, "band")
    first, second = an_event(clock, entity, "First"), an_event(clock, entity, "Second")
    a, b = a_ticket_type(clock, first), a_ticket_type(clock, second)
    await store(
        uow_factory, users=[ana], entities=[entity], events=[first, second], ticket_types=[a, b]
    )
    order = _paid(an_order(clock, ana, a_line(a, 2), a_line(b, 1)), clock)
    other = _paid(an_order(clock, ana, a_line(a, 1)), clock)
    await _save(uow_factory, order, other)

    early, late = clock.tick(), clock.tick() + timedelta(hours=1)
    async with uow_factory() as uow:
        assert await uow.tickets.void_for_order(order.id, early, event_id=first.id) == 2
        assert await uow.tickets.void_for_order(order.id, early, event_id=first.id) == 0
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.tickets.void_for_order(order.id, late) == 1  # only the valid one
        await uow.commit()
    async with uow_factory() as uow:
        mine = await uow.tickets.list_for_order(order.id)
        theirs = await uow.tickets.list_for_order(other.id)
    voided = sorted((t.event_id == first.id, t.voided_at) for t in mine)
    assert voided == [(False, late), (True, early), (True, early)]
    assert [t.is_valid for t in theirs] == [True]


async def test_paid_with_event_finds_paid_orders_holding_its_tickets(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana, bob, entity = a_user(clock, "ana"), a_user(clock, "bob"), an_entity(clock, "band")
    show, other = an_event(clock, entity, "Show"), an_event(clock, entity, "Other")
    seats, elsewhere = a_ticket_type(clock, show), a_ticket_type(clock, other)
    shirt = a_product(clock, entity)
    await store(
        uow_factory,
        users=[ana, bob],
        entities=[entity],
        events=[show, other],
        ticket_types=[seats, elsewhere],
        products=[shirt],
    )
    oldest = _paid(an_order(clock, bob, a_line(seats), a_line(shirt)), clock)
    partly = _paid(an_order(clock, ana, a_line(seats, 2), a_line(elsewhere)), clock)
    partly.refund(Money(100, "EUR"), reason=None, now=clock.tick())
    refunded = _paid(an_order(clock, ana, a_line(seats)), clock)
    refunded.refund(None, reason=None, now=clock.tick())
    pending = an_order(clock, ana, a_line(seats))
    not_this_event = _paid(an_order(clock, bob, a_line(elsewhere)), clock)
    await _save(uow_factory, partly, refunded, pending, not_this_event, oldest, tickets=False)

    async with uow_factory() as uow:
        assert await uow.orders.paid_with_event(show.id) == [oldest.id, partly.id]
        assert await uow.orders.paid_with_event(other.id) == [partly.id, not_this_event.id]
        assert await uow.orders.paid_with_event(UUID(int=7)) == []


async def test_revenue_adds_up_ever_paid_orders_with_refunds_pro_rata(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana, bob = a_user(clock, "ana"), a_user(clock, "bob")
    band, rivals = an_entity(clock, "band"), an_entity(clock, "rivals")
    alpha, beta = an_event(clock, band, "Alpha night"), an_event(clock, band, "Beta night")
    a = a_ticket_type(clock, alpha, price=Money(2550, "EUR"))
    b = a_ticket_type(clock, beta, price=Money(1000, "EUR"))
    shirt, poster = a_product(clock, band, "Shirt"), a_product(clock, band, "Poster")
    theirs = a_product(clock, rivals, "Their shirt")
    await store(
        uow_factory,
        users=[ana, bob],
        entities=[band, rivals],
        events=[alpha, beta],
        ticket_types=[a, b],
        products=[shirt, poster, theirs],
    )
    usd_posters = dataclasses.replace(a_line(poster, 2), unit_price=Money(500, "USD"))

    mixed = _paid(an_order(clock, ana, a_line(a, 3), a_line(shirt)), clock)  # 76.50 + 19.99
    mixed.refund(Money(1000, "EUR"), reason=None, now=clock.tick())
    gone = _paid(an_order(clock, bob, a_line(b, 2)), clock)
    gone.refund(None, reason=None, now=clock.tick())
    plain = _paid(an_order(clock, bob, a_line(a)), clock)
    in_usd = _paid(an_order(clock, ana, usd_posters), clock)
    pending = an_order(clock, ana, a_line(shirt))
    expired = an_order(clock, ana, a_line(a))
    expired.expire(clock.tick())
    elsewhere = _paid(an_order(clock, ana, a_line(theirs)), clock)
    await _save(uow_factory, mixed, gone, plain, in_usd, pending, expired, elsewhere, tickets=False)

    async with uow_factory() as uow:
        revenue = await uow.orders.revenue(band.id)
        nothing = await uow.orders.revenue(UUID(int=3))
    assert revenue.currencies == [
        CurrencyRevenue(currency="EUR", gross=14199, refunded=3000, net=11199, orders=3),
        CurrencyRevenue(currency="USD", gross=1000, refunded=0, net=1000, orders=1),
    ]
    # 10.00 of 96.49 refunded: 1000 * 7650 // 9649 = 792 to the seats, 1000 * 1999 // 9649 =
    # 207 to the shirt; one minor unit is lost to flooring, the currency total is exact.
    assert revenue.events == [
        EventRevenue(
            event_id=alpha.id,
            title="Alpha night",
            currency="EUR",
            gross=10200,
            refunded=792,
            net=9408,
            tickets_sold=4,
        ),
        EventRevenue(
            event_id=beta.id,
            title="Beta night",
            currency="EUR",
            gross=2000,
            refunded=2000,
            net=0,
            tickets_sold=2,
        ),
    ]
    assert revenue.products == [
        ProductRevenue(
            product_id=poster.id,
            title="Poster",
            currency="USD",
            gross=1000,
            refunded=0,
            net=1000,
            units_sold=2,
        ),
        ProductRevenue(
            product_id=shirt.id,
            title="Shirt",
            currency="EUR",
            gross=1999,
            refunded=207,
            net=1792,
            units_sold=1,
        ),
    ]
    assert (nothing.currencies, nothing.events, nothing.products) == ([], [], [])
