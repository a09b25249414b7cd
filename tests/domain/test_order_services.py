"""The orders use cases on the memory adapters: placing with reservations, what may be
bought by whom, settling a payment once, tickets and check-in, expiry and cancellation.

The crew (conftest): `olga` owns `night-shift`, `adam` administers it, `cora` collaborates,
`fay` follows it and `sam` is a stranger. Counters are read from the store itself."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from showgeo_adapters.memory import FakeClock, MemoryStore
from showgeo_domain.events.model import EventPhase
from showgeo_domain.events.services import EventDetails, Events, TicketTypeDetails
from showgeo_domain.orders.domain_events import OrderExpired, OrderPaid, OrderPlaced
from showgeo_domain.orders.errors import (
    MixedOrder,
    NotOnSale,
    OrderNotFound,
    SoldOut,
    TicketAlreadyUsed,
)
from showgeo_domain.orders.model import OrderStatus
from showgeo_domain.orders.services import ItemRequest, Orders, Settlement
from showgeo_domain.shared.errors import PermissionDenied
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import PageRequest
from showgeo_domain.store.errors import ProductNotFound
from showgeo_domain.store.model import ProductKind, Visibility
from showgeo_domain.store.services import ProductDetails, Store
from tests.domain.conftest import events_of

TTL = timedelta(minutes=15)


@pytest.fixture
def orders(uow, clock: FakeClock) -> Orders:
    return Orders(uow, clock)


@pytest.fixture
async def show(events: Events, crew, crew_entity, clock: FakeClock):
    return await events.create(
        crew["olga"].actor,
        crew_entity.id,
        EventDetails(title="Night Shift Live", starts_at=clock.now() + timedelta(days=7)),
    )


async def _seats(events: Events, crew, show, quota: int = 10, **window):
    return await events.add_ticket_type(
        crew["olga"].actor,
        show.id,
        TicketTypeDetails(name="General", price=Money(2500, "EUR"), quota=quota, **window),
    )


async def _product(
    shop: Store,
    owner,
    entity_id: UUID,
    *,
    visibility: Visibility = Visibility.PUBLIC,
    published: bool = True,
    stock: int | None = 5,
):
    product = await shop.create(
        owner.actor,
        entity_id,
        ProductDetails(
            title=f"Shirt {visibility.value}",
            kind=ProductKind.PHYSICAL,
            price=Money(1999, "EUR"),
            visibility=visibility,
            stock=stock,
        ),
    )
    return await shop.publish(owner.actor, product.id) if published else product


def seats_of(ticket_type_id: UUID, quantity: int = 1) -> ItemRequest:
    return ItemRequest(ticket_type_id=ticket_type_id, quantity=quantity)


def units_of(product_id: UUID, quantity: int = 1) -> ItemRequest:
    return ItemRequest(product_id=product_id, quantity=quantity)


def counters(store: MemoryStore, item_id: UUID) -> tuple[int, int]:
    item = store.state.ticket_types.get(item_id) or store.state.products[item_id]
    return item.sold, item.reserved


# --- placing ---------------------------------------------------------------------------------


async def test_placing_reserves_and_leaves_a_pending_order(
    orders: Orders, events, shop, store: MemoryStore, crew, crew_entity, show, clock
):
    seats = await _seats(events, crew, show)
    shirt = await _product(shop, crew["olga"], crew_entity.id)

    order = await orders.place(crew["sam"].actor, [seats_of(seats.id, 3), units_of(shirt.id)])

    assert order.status is OrderStatus.PENDING
    assert order.expires_at == clock.now() + TTL
    assert order.total == Money(3 * 2500 + 1999, "EUR")
    assert counters(store, seats.id) == (0, 3)
    assert counters(store, shirt.id) == (0, 1)
    (placed,) = events_of(store, OrderPlaced)
    assert isinstance(placed, OrderPlaced)
    assert placed.order_id == order.id
    assert (await orders.get(crew["sam"].actor, order.id)).status is OrderStatus.PENDING


async def test_one_line_too_many_reserves_nothing_at_all(
    orders: Orders, events, shop, store: MemoryStore, crew, crew_entity, show
):
    seats = await _seats(events, crew, show)
    shirt = await _product(shop, crew["olga"], crew_entity.id, stock=2)
    with pytest.raises(SoldOut):
        await orders.place(crew["sam"].actor, [seats_of(seats.id, 2), units_of(shirt.id, 3)])
    assert counters(store, seats.id) == (0, 0)
    assert store.state.orders == {}


async def test_lines_from_two_entities_are_a_mixed_order(
    orders: Orders, events, shop, store: MemoryStore, crew, crew_entity, show, team
):
    seats = await _seats(events, crew, show)
    elsewhere = await team(crew["adam"], slug="day-shift")
    their_shirt = await _product(shop, crew["adam"], elsewhere.id)
    with pytest.raises(MixedOrder):
        await orders.place(crew["sam"].actor, [seats_of(seats.id), units_of(their_shirt.id)])
    assert counters(store, seats.id) == (0, 0)


@pytest.mark.parametrize(
    ("opens", "closes"),
    [(timedelta(hours=1), None), (None, timedelta(0)), (-timedelta(hours=2), -timedelta(hours=1))],
    ids=["not-yet", "just-closed", "long-closed"],
)
async def test_tickets_outside_their_sales_window_are_not_on_sale(
    orders: Orders, events, crew, show, clock, opens, closes
):
    now = clock.now()
    window = {
        "sales_start": now + opens if opens is not None else None,
        "sales_end": now + closes if closes is not None else None,
    }
    if window["sales_start"] is None and window["sales_end"] is not None:
        window["sales_start"] = window["sales_end"] - timedelta(days=1)
    seats = await _seats(events, crew, show, **window)
    with pytest.raises(NotOnSale):
        await orders.place(crew["sam"].actor, [seats_of(seats.id)])


@pytest.mark.parametrize(
    "phases", [[EventPhase.LIVE, EventPhase.POST_LIVE], [EventPhase.CANCELLED]], ids=str
)
async def test_tickets_of_finished_or_cancelled_events_are_not_on_sale(
    orders: Orders, events, crew, show, phases
):
    seats = await _seats(events, crew, show)
    for phase in phases:
        await events.move(crew["olga"].actor, show.id, phase)
    with pytest.raises(NotOnSale):
        await orders.place(crew["sam"].actor, [seats_of(seats.id)])


async def test_a_live_event_still_sells_tickets(orders: Orders, events, crew, show):
    seats = await _seats(events, crew, show)
    await events.move(crew["olga"].actor, show.id, EventPhase.LIVE)
    assert (await orders.place(crew["sam"].actor, [seats_of(seats.id)])).status is (
        OrderStatus.PENDING
    )


@pytest.mark.parametrize(
    ("visibility", "published"),
    [(Visibility.PUBLIC, False), (Visibility.HIDDEN, True)],
    ids=["draft", "hidden"],
)
async def test_drafts_and_hidden_products_are_not_for_sale(
    orders: Orders, shop, crew, crew_entity, visibility, published
):
    """The team sees them, so it learns they are not for sale; everyone else is told they
    do not exist (404, not 403, as the store's reads do)."""
    product = await _product(
        shop, crew["olga"], crew_entity.id, visibility=visibility, published=published
    )
    with pytest.raises(NotOnSale):
        await orders.place(crew["cora"].actor, [units_of(product.id)])
    with pytest.raises(ProductNotFound):
        await orders.place(crew["sam"].actor, [units_of(product.id)])


async def test_followers_only_products_are_sold_to_followers_only(
    orders: Orders, shop, crew, crew_entity
):
    product = await _product(shop, crew["olga"], crew_entity.id, visibility=Visibility.FOLLOWERS)
    with pytest.raises(ProductNotFound):
        await orders.place(crew["sam"].actor, [units_of(product.id)])
    assert (await orders.place(crew["fay"].actor, [units_of(product.id)])).status is (
        OrderStatus.PENDING
    )


# --- paying, tickets, check-in ---------------------------------------------------------------


async def test_settling_pays_sells_and_issues_one_ticket_per_seat_once(
    orders: Orders, events, shop, store: MemoryStore, crew, crew_entity, show, clock
):
    seats = await _seats(events, crew, show)
    shirt = await _product(shop, crew["olga"], crew_entity.id)
    order = await orders.place(crew["sam"].actor, [seats_of(seats.id, 3), units_of(shirt.id, 2)])
    clock.advance(timedelta(minutes=5))

    assert await orders.settle_payment(order.id, payment_ref="pi_1") is Settlement.PAID
    paid = await orders.get(crew["sam"].actor, order.id)
    assert (paid.status, paid.payment_ref, paid.paid_at) == (OrderStatus.PAID, "pi_1", clock.now())
    assert counters(store, seats.id) == (3, 0)
    assert counters(store, shirt.id) == (2, 0)
    tickets = (await orders.tickets_of(crew["sam"].actor, PageRequest())).items
    assert len(tickets) == 3
    assert {t.event_id for t in tickets} == {show.id}
    assert len({t.code for t in tickets}) == 3

    # A replayed payment notice changes nothing.
    assert await orders.settle_payment(order.id, payment_ref="pi_1") is Settlement.ALREADY_SETTLED
    assert len((await orders.tickets_of(crew["sam"].actor, PageRequest())).items) == 3
    assert counters(store, seats.id) == (3, 0)
    assert len(events_of(store, OrderPaid)) == 1


async def test_a_payment_after_the_reservation_lapsed_is_too_late(
    orders: Orders, events, store: MemoryStore, crew, show, clock
):
    seats = await _seats(events, crew, show)
    swept = await orders.place(crew["sam"].actor, [seats_of(seats.id)])
    read = await orders.place(crew["fay"].actor, [seats_of(seats.id)])
    cancelled = await orders.place(crew["fay"].actor, [seats_of(seats.id)])
    await orders.cancel(crew["fay"].actor, cancelled.id)
    clock.advance(TTL + timedelta(seconds=1))
    # One expired by the sweep, one by being looked at; both give their seat back.
    await orders.get(crew["fay"].actor, read.id)
    assert await orders.expire_overdue() == 1

    for order in (swept, read, cancelled):
        assert await orders.settle_payment(order.id, payment_ref="pi") is Settlement.TOO_LATE
    assert counters(store, seats.id) == (0, 0)
    assert store.state.tickets == {}
    assert len(events_of(store, OrderExpired)) == 2


async def _a_ticket(orders: Orders, events, crew, show):
    seats = await _seats(events, crew, show)
    order = await orders.place(crew["sam"].actor, [seats_of(seats.id)])
    await orders.settle_payment(order.id, payment_ref=None)
    (ticket,) = (await orders.tickets_of(crew["sam"].actor, PageRequest())).items
    return ticket


async def test_a_collaborator_checks_a_ticket_in_once(orders: Orders, events, crew, show, clock):
    ticket = await _a_ticket(orders, events, crew, show)
    clock.advance(timedelta(days=7))
    used = await orders.check_in(crew["cora"].actor, ticket.code)
    assert used.checked_in_at == clock.now()
    with pytest.raises(TicketAlreadyUsed):
        await orders.check_in(crew["adam"].actor, ticket.code)


async def test_strangers_and_the_holder_cannot_check_tickets_in(
    orders: Orders, events, store: MemoryStore, crew, show
):
    ticket = await _a_ticket(orders, events, crew, show)
    for who in ("sam", "fay"):
        with pytest.raises(PermissionDenied):
            await orders.check_in(crew[who].actor, ticket.code)
    assert store.state.tickets[ticket.id].checked_in_at is None


# --- reading, expiry, cancelling -------------------------------------------------------------


async def test_other_peoples_orders_do_not_exist_for_you_but_the_team_sees_them(
    orders: Orders, events, crew, show
):
    seats = await _seats(events, crew, show)
    order = await orders.place(crew["sam"].actor, [seats_of(seats.id)])
    for who in ("fay", "cora"):  # a collaborator has no VIEW_REVENUE
        with pytest.raises(OrderNotFound):
            await orders.get(crew[who].actor, order.id)
    for who in ("olga", "adam", "root"):
        assert (await orders.get(crew[who].actor, order.id)).id == order.id


async def test_reading_an_overdue_order_expires_it_and_frees_its_seats(
    orders: Orders, events, store: MemoryStore, crew, show, clock
):
    seats = await _seats(events, crew, show, quota=2)
    order = await orders.place(crew["sam"].actor, [seats_of(seats.id, 2)])
    with pytest.raises(SoldOut):
        await orders.place(crew["fay"].actor, [seats_of(seats.id)])

    clock.advance(TTL)  # due exactly now
    found = await orders.get(crew["sam"].actor, order.id)
    assert (found.status, found.closed_at) == (OrderStatus.EXPIRED, clock.now())
    assert counters(store, seats.id) == (0, 0)
    assert store.state.orders[order.id].status is OrderStatus.EXPIRED
    assert await orders.expire_overdue() == 0
    await orders.place(crew["fay"].actor, [seats_of(seats.id, 2)])


async def test_cancelling_gives_the_reservation_back(
    orders: Orders, events, shop, store: MemoryStore, crew, crew_entity, show
):
    seats = await _seats(events, crew, show)
    shirt = await _product(shop, crew["olga"], crew_entity.id)
    order = await orders.place(crew["sam"].actor, [seats_of(seats.id, 4), units_of(shirt.id)])
    with pytest.raises(OrderNotFound):
        await orders.cancel(crew["fay"].actor, order.id)

    cancelled = await orders.cancel(crew["sam"].actor, order.id)
    assert cancelled.status is OrderStatus.CANCELLED
    assert counters(store, seats.id) == (0, 0)
    assert counters(store, shirt.id) == (0, 0)
