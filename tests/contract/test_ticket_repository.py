"""TicketRepository on every backend: a paid order's tickets go in together, codes are
unique, a code finds its ticket, a holder's tickets page newest first (ties on `issued_at`
broken by id, as one order's tickets share it), and check-in and voiding persist."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.identity.model import User
from showgeo_domain.orders.model import Order, Ticket
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.pagination import PageRequest
from tests.contract.builders import (
    a_line,
    a_ticket_type,
    a_user,
    an_entity,
    an_event,
    an_order,
    state_of,
    store,
)


async def _paid_orders(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock, *buyers_and_seats: tuple[User, int]
) -> list[Order]:
    """Paid orders (stored) for each (buyer, seats); users are stored by the caller."""
    entity = an_entity(clock, "band")
    event = an_event(clock, entity)
    seats = a_ticket_type(clock, event)
    await store(uow_factory, entities=[entity], events=[event], ticket_types=[seats])
    placed = []
    for buyer, count in buyers_and_seats:
        order = an_order(clock, buyer, a_line(seats, count))
        order.mark_paid(payment_ref=None, now=clock.tick())
        placed.append(order)
    async with uow_factory() as uow:
        for order in placed:
            await uow.orders.add(order)
        await uow.commit()
    return placed


async def test_a_paid_orders_tickets_come_back_by_order_and_by_code(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana = a_user(clock, "ana")
    await store(uow_factory, users=[ana])
    (order,) = await _paid_orders(uow_factory, clock, (ana, 3))
    issued = Ticket.issue_for(order, clock.tick())
    assert len(issued) == 3
    async with uow_factory() as uow:
        await uow.tickets.add_many(issued)
        await uow.tickets.add_many([])  # nothing to do, no error
        await uow.commit()

    async with uow_factory() as uow:
        listed = await uow.tickets.list_for_order(order.id)
        found = await uow.tickets.get_by_code(issued[1].code)
        locked = await uow.tickets.get_by_code(issued[1].code, for_update=True)
        assert await uow.tickets.get_by_code("no-such-code") is None
        assert await uow.tickets.list_for_order(new_id()) == []
    in_order = sorted(issued, key=lambda t: (t.issued_at, t.id))
    assert [state_of(t) for t in listed] == [state_of(t) for t in in_order]
    assert found is not None
    assert locked is not None
    assert state_of(found) == state_of(locked) == state_of(issued[1])
    assert found.issued_at.tzinfo is not None
    assert len({t.code for t in listed}) == 3


async def test_a_code_is_never_issued_twice(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana = a_user(clock, "ana")
    await store(uow_factory, users=[ana])
    first, second = await _paid_orders(uow_factory, clock, (ana, 1), (ana, 2))
    (kept,) = Ticket.issue_for(first, clock.tick())
    clash = Ticket.issue_for(second, clock.tick())
    clash[1].code = kept.code
    async with uow_factory() as uow:
        await uow.tickets.add_many([kept])
        await uow.commit()
    async with uow_factory() as uow:
        with pytest.raises((IntegrityError, ValueError)):
            await uow.tickets.add_many(clash)
    async with uow_factory() as uow:
        assert await uow.tickets.list_for_order(second.id) == []  # all or nothing
        found = await uow.tickets.get_by_code(kept.code)
    assert found is not None
    assert found.id == kept.id


async def test_a_holders_tickets_page_newest_first(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana, bob = a_user(clock, "ana"), a_user(clock, "bob")
    await store(uow_factory, users=[ana, bob])
    orders = await _paid_orders(uow_factory, clock, (ana, 3), (bob, 1), (ana, 2))
    issued = [Ticket.issue_for(order, clock.tick()) for order in orders]
    async with uow_factory() as uow:
        for batch in issued:
            await uow.tickets.add_many(batch)
        await uow.commit()

    seen: list[Ticket] = []
    request = PageRequest(limit=2)
    async with uow_factory() as uow:
        while True:
            page = await uow.tickets.list_for_holder(ana.id, request)
            seen += page.items
            if page.next_cursor is None:
                break
            request = PageRequest.parse(page.next_cursor, 2)
    anas = issued[0] + issued[2]
    expected = sorted(anas, key=lambda t: (t.issued_at, t.id), reverse=True)
    assert [t.id for t in seen] == [t.id for t in expected]
    assert {t.holder_id for t in seen} == {ana.id}


async def test_check_in_and_voiding_persist(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana = a_user(clock, "ana")
    await store(uow_factory, users=[ana])
    (order,) = await _paid_orders(uow_factory, clock, (ana, 2))
    used, voided = Ticket.issue_for(order, clock.tick())
    async with uow_factory() as uow:
        await uow.tickets.add_many([used, voided])
        await uow.commit()

    clock.advance(timedelta(days=7))
    used.check_in(clock.tick())
    voided.void(clock.tick())
    async with uow_factory() as uow:
        await uow.tickets.update(used)
        await uow.tickets.update(voided)
        await uow.commit()
    async with uow_factory() as uow:
        found_used = await uow.tickets.get_by_code(used.code)
        found_voided = await uow.tickets.get_by_code(voided.code)
    assert found_used is not None
    assert found_voided is not None
    assert (found_used.checked_in_at, found_used.voided_at) == (used.checked_in_at, None)
    assert (found_voided.checked_in_at, found_voided.voided_at) == (None, voided.voided_at)
    assert not found_voided.is_valid
