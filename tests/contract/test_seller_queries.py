"""What the seller back-office reads, on every backend: an entity's or an event's orders with
their buyer, filtered and paged by keyset; totals over every match in exact minor units; one
order only through its own entity; an event's attendees with search and check-in filter; and
the per-ticket-type tally."""

from __future__ import annotations

from datetime import timedelta

import pytest

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.orders.model import Order, OrderStatus, Ticket
from showgeo_domain.orders.seller_queries import (
    AttendeeFilters,
    CurrencyPaid,
    OrderFilters,
    OrderScope,
)
from showgeo_domain.orders.seller_views import SellerViews
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import BATCH_LIMIT, MAX_LIMIT, PageRequest
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
    uow_factory: PlatformUnitOfWorkFactory, *placed: Order, issued: list[Ticket]
) -> list[Ticket]:
    """Store the orders, their tickets issued when they were paid, and those of PAID ones."""
    async with uow_factory() as uow:
        for order in placed:
            assert await uow.orders.add(order)
            if order.status is OrderStatus.PAID:
                assert order.paid_at is not None
                issued = issued + Ticket.issue_for(order, order.paid_at)
        await uow.tickets.add_many(issued)
        await uow.commit()
    return issued


async def _world(uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock):  # type: ignore[no-untyped-def]
    ana = a_user(clock, "ana", email="ana.lopez@example.com")
    bob = a_user(clock, "bob", email="bob_100%@example.org")
    entity, rival = an_entity(clock, "band"), an_entity(clock, "rival")
    show, other = an_event(clock, entity, "Show"), an_event(clock, entity, "Other")
    seats = a_ticket_type(clock, show, "Floor")
    balcony = a_ticket_type(clock, show, "Balcony", price=Money(1000, "EUR"))
    elsewhere = a_ticket_type(clock, other)
    shirt = a_product(clock, entity)
    rival_show = an_event(clock, rival, "Rival show")
    rival_seats = a_ticket_type(clock, rival_show)
    await store(
        uow_factory,
        users=[ana, bob],
        entities=[entity, rival],
        events=[show, other, rival_show],
        ticket_types=[seats, balcony, elsewhere, rival_seats],
        products=[shirt],
    )
    paid_early = an_order(clock, ana, a_line(seats, 2), a_line(shirt, 1))  # 6999
    paid_early.mark_paid(payment_ref="pay_1", now=clock.tick())
    refunded = an_order(clock, bob, a_line(balcony, 1))  # 1000, 400 back
    refunded.mark_paid(payment_ref="pay_2", now=clock.tick() + timedelta(days=1))
    assert refunded.paid_at is not None
    before_refund = Ticket.issue_for(refunded, refunded.paid_at)
    refunded.refund(Money(400, "EUR"), reason=None, now=clock.tick() + timedelta(days=1))
    pending = an_order(clock, bob, a_line(elsewhere, 1))
    rival_order = an_order(clock, ana, a_line(rival_seats, 1))
    rival_order.mark_paid(payment_ref="pay_3", now=clock.tick())
    tickets = await _save(
        uow_factory, paid_early, refunded, pending, rival_order, issued=before_refund
    )
    return {
        "entity": entity,
        "rival": rival,
        "show": show,
        "seats": seats,
        "balcony": balcony,
        "shirt": shirt,
        "orders": (paid_early, refunded, pending, rival_order),
        "tickets": tickets,
        "ana": ana,
    }


async def test_orders_of_an_entity_and_an_event_with_buyers_and_totals(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    w = await _world(uow_factory, clock)
    paid_early, refunded, pending, _ = w["orders"]
    everything = OrderScope(entity_id=w["entity"].id)
    async with uow_factory(read_only=True) as uow:
        page = await uow.orders.for_seller(everything, PageRequest(limit=2))
        assert [r.order.id for r in page.items] == [pending.id, refunded.id]
        assert page.next_cursor is not None
        rest = await uow.orders.for_seller(everything, PageRequest.parse(page.next_cursor, 2))
        assert [r.order.id for r in rest.items] == [paid_early.id]
        assert rest.next_cursor is None
        first = rest.items[0]
        assert (first.buyer.name, first.buyer.email) == ("ana", "ana.lopez@example.com")
        assert [line.quantity for line in first.order.lines] == [2, 1]

        totals = await uow.orders.seller_totals(everything)
        assert totals.count == 3
        assert totals.paid == [CurrencyPaid("EUR", 6999 + 600)]

        of_show = OrderScope(entity_id=w["entity"].id, event_id=w["show"].id)
        found = await uow.orders.for_seller(of_show, PageRequest())
        assert {r.order.id for r in found.items} == {paid_early.id, refunded.id}
        assert (await uow.orders.seller_totals(of_show)).count == 2


async def test_order_filters_agree_on_every_backend(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    w = await _world(uow_factory, clock)
    paid_early, refunded, pending, _ = w["orders"]

    async def ids(**filters: object) -> set[object]:
        scope = OrderScope(entity_id=w["entity"].id, filters=OrderFilters.parse(**filters))  # type: ignore[arg-type]
        async with uow_factory(read_only=True) as uow:
            found = await uow.orders.for_seller(scope, PageRequest(limit=100))
            totals = await uow.orders.seller_totals(scope)
        assert totals.count == len(found.items)
        return {r.order.id for r in found.items}

    assert await ids(status="pending") == {pending.id}
    assert await ids(status="PARTIALLY_REFUNDED") == {refunded.id}
    assert await ids(ticket_type_id=w["seats"].id) == {paid_early.id}
    assert await ids(product_id=w["shirt"].id) == {paid_early.id}
    assert await ids(paid_from=refunded.paid_at) == {refunded.id}
    assert await ids(paid_to=refunded.paid_at) == {paid_early.id}
    assert await ids(search="  LOPEZ ") == {paid_early.id}
    assert await ids(search="100%") == {refunded.id, pending.id}  # % matched literally
    assert await ids(search="_100") == {refunded.id, pending.id}
    assert await ids(search="1%0") == set()
    assert await ids(search="bob", status="PENDING") == {pending.id}


async def test_one_order_is_found_only_through_its_own_entity(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    w = await _world(uow_factory, clock)
    paid_early, *_, rival_order = w["orders"]
    async with uow_factory(read_only=True) as uow:
        found = await uow.orders.seller_order(w["entity"].id, paid_early.id)
        assert found is not None
        assert found.order.total == Money(6999, "EUR")
        assert found.buyer.email == "ana.lopez@example.com"
        assert await uow.orders.seller_order(w["entity"].id, rival_order.id) is None


async def test_attendees_of_an_event_search_filter_and_tally(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    w = await _world(uow_factory, clock)
    show = w["show"]
    of_show = [t for t in w["tickets"] if t.event_id == show.id]
    assert len(of_show) == 3  # two Floor seats for ana, one Balcony for bob
    door = next(t for t in of_show if t.ticket_type_id == w["seats"].id)
    door.check_in(clock.tick())
    async with uow_factory() as uow:
        await uow.tickets.update(door)
        await uow.tickets.void_for_order(w["orders"][1].id, clock.tick())
        await uow.commit()

    async def attendees(**filters: object) -> list[object]:
        async with uow_factory(read_only=True) as uow:
            found = await uow.tickets.attendees(
                show.id,
                AttendeeFilters.parse(**filters),  # type: ignore[arg-type]
                PageRequest(limit=100),
            )
        return [a.ticket.id for a in found.items]

    newest_first = sorted(of_show, key=lambda t: (t.issued_at, t.id), reverse=True)
    assert await attendees() == [t.id for t in newest_first]
    assert await attendees(checked_in=True) == [door.id]
    assert door.id not in await attendees(checked_in=False)
    assert len(await attendees(search="bob")) == 1
    assert await attendees(search=door.code[-6:].upper()) == [door.id]  # case ignored
    assert await attendees(search=door.code[:6] + "x") == []

    async with uow_factory(read_only=True) as uow:
        page = await uow.tickets.attendees(show.id, AttendeeFilters(), PageRequest(limit=2))
        assert page.next_cursor is not None
        first = page.items[0]
        assert first.ticket_type_name in {"Floor", "Balcony"}
        assert first.holder.email in {"ana.lopez@example.com", "bob_100%@example.org"}
        tally = {t.ticket_type_id: t for t in await uow.tickets.tally(show.id)}
    assert (tally[w["seats"].id].issued, tally[w["seats"].id].checked_in) == (2, 1)
    assert (tally[w["balcony"].id].issued, tally[w["balcony"].id].voided) == (1, 1)
    assert set(tally) == {w["seats"].id, w["balcony"].id}


async def test_an_export_reads_more_rows_per_batch_than_a_caller_may_page(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    """Exports walk every row in batches larger than MAX_LIMIT (fewer reads for a long
    download), while a caller's page stays within it."""
    sold = MAX_LIMIT + 50
    fan, entity = a_user(clock, "fan"), an_entity(clock, "band")
    show = an_event(clock, entity)
    seats = a_ticket_type(clock, show, quota=sold)
    await store(uow_factory, users=[fan], entities=[entity], events=[show], ticket_types=[seats])
    placed = [an_order(clock, fan, a_line(seats, 50)) for _ in range(sold // 50)]
    for order in placed:
        order.mark_paid(payment_ref=None, now=clock.tick())
    issued = await _save(uow_factory, *placed, issued=[])
    views = SellerViews(uow_factory)

    attendees = [len(b) async for b in views.attendee_batches(show.id, AttendeeFilters())]
    orders = [len(b) async for b in views.order_batches(OrderScope(entity_id=entity.id))]

    assert attendees == [len(issued)] == [sold]
    assert orders == [len(placed)]
    assert BATCH_LIMIT > MAX_LIMIT
    with pytest.raises(InvalidInput):
        PageRequest(limit=BATCH_LIMIT)
