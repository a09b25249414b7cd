"""Refunds and cancelled events on the memory adapters with the fake provider: the domain
checks every amount before the provider is called, a failing provider changes nothing, a full
refund voids the tickets, who may refund, and cancelling an event refunds its paid tickets
once (product lines stay paid).

The crew (conftest): `olga` owns `night-shift`, `adam` administers it, `cora` collaborates,
`fay` follows it, `sam` is a stranger who buys here, `root` is a platform admin."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from showgeo_adapters.memory import FakeClock, MemoryStore
from showgeo_domain.events.errors import EventPhaseTransitionNotAllowed
from showgeo_domain.events.model import EventPhase
from showgeo_domain.events.services import EventDetails, Events, TicketTypeDetails
from showgeo_domain.orders.domain_events import OrderRefunded
from showgeo_domain.orders.errors import (
    OrderNotFound,
    OrderTransitionNotAllowed,
    RefundExceedsPayment,
)
from showgeo_domain.orders.model import Order, OrderStatus
from showgeo_domain.orders.payments import Payments
from showgeo_domain.orders.services import ItemRequest, Orders
from showgeo_domain.shared.errors import InvalidInput, PermissionDenied
from showgeo_domain.shared.money import Money
from showgeo_domain.store.model import ProductKind, Visibility
from showgeo_domain.store.services import ProductDetails, Store
from tests.domain.conftest import events_of
from tests.domain.test_payments import FakeProvider


class BrokenProvider(FakeProvider):
    async def refund(self, order: Order, amount: Money) -> str:
        raise ConnectionError("the provider is down")


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider()


@pytest.fixture
def orders(uow, clock: FakeClock) -> Orders:
    return Orders(uow, clock)


@pytest.fixture
def payments(uow, clock: FakeClock, orders: Orders, provider: FakeProvider) -> Payments:
    return Payments(uow, clock, orders, [provider])


@pytest.fixture
async def show(events: Events, crew, crew_entity, clock: FakeClock):
    return await events.create(
        crew["olga"].actor,
        crew_entity.id,
        EventDetails(title="Night Shift Live", starts_at=clock.now() + timedelta(days=7)),
    )


@pytest.fixture
async def seats(events: Events, crew, show):
    return await events.add_ticket_type(
        crew["olga"].actor,
        show.id,
        TicketTypeDetails(name="General", price=Money(2500, "EUR"), quota=10),
    )


@pytest.fixture
async def shirt(shop: Store, crew, crew_entity):
    product = await shop.create(
        crew["olga"].actor,
        crew_entity.id,
        ProductDetails(
            title="Shirt",
            kind=ProductKind.PHYSICAL,
            price=Money(1999, "EUR"),
            visibility=Visibility.PUBLIC,
            stock=5,
        ),
    )
    return await shop.publish(crew["olga"].actor, product.id)


async def bought(orders: Orders, buyer, *items: ItemRequest) -> Order:
    order = await orders.place(buyer.actor, list(items))
    await orders.settle_payment(order.id, payment_ref=f"pay_{order.id}")
    return order


def valid_tickets(store: MemoryStore, order_id: UUID) -> list[bool]:
    return [t.is_valid for t in store.state.tickets.values() if t.order_id == order_id]


@pytest.fixture
async def paid(orders: Orders, crew, seats) -> Order:
    """`sam` paid 2 seats: 50.00 EUR."""
    return await bought(orders, crew["sam"], ItemRequest(ticket_type_id=seats.id, quantity=2))


async def test_a_partial_then_a_full_refund(
    payments: Payments, paid: Order, crew, store: MemoryStore, provider: FakeProvider
) -> None:
    first = await payments.refund(crew["olga"].actor, paid.id, Money(1000, "EUR"), "late start")
    assert first.amount == Money(1000, "EUR")
    assert first.provider_ref == "re_1"
    assert first.order.status is OrderStatus.PARTIALLY_REFUNDED
    assert store.state.orders[paid.id].refunded == Money(1000, "EUR")
    assert valid_tickets(store, paid.id) == [True, True]

    rest = await payments.refund(crew["adam"].actor, paid.id, None, None)
    assert rest.amount == Money(4000, "EUR")
    assert rest.order.status is OrderStatus.REFUNDED
    assert store.state.orders[paid.id].status is OrderStatus.REFUNDED
    assert valid_tickets(store, paid.id) == [False, False]
    assert provider.refunds == [(paid.id, Money(1000, "EUR")), (paid.id, Money(4000, "EUR"))]
    refunded = events_of(store, OrderRefunded)
    assert [e.amount for e in refunded] == [1000, 4000]  # type: ignore[attr-defined]
    assert refunded[0].reason == "late start"  # type: ignore[attr-defined]

    with pytest.raises(OrderTransitionNotAllowed):  # nothing is left to give back
        await payments.refund(crew["olga"].actor, paid.id, None, None)
    assert len(provider.refunds) == 2


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        (Money(5001, "EUR"), RefundExceedsPayment),
        (Money(0, "EUR"), InvalidInput),
        (Money(100, "USD"), InvalidInput),
    ],
)
async def test_a_refused_amount_never_reaches_the_provider(
    payments: Payments,
    paid: Order,
    crew,
    store: MemoryStore,
    provider: FakeProvider,
    amount: Money,
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        await payments.refund(crew["olga"].actor, paid.id, amount, None)
    assert provider.refunds == []
    assert store.state.orders[paid.id].status is OrderStatus.PAID
    assert store.state.orders[paid.id].refunded == Money(0, "EUR")
    assert events_of(store, OrderRefunded) == []


async def test_a_pending_order_cannot_be_refunded(
    payments: Payments, orders: Orders, crew, seats, provider: FakeProvider
) -> None:
    pending = await orders.place(
        crew["sam"].actor, [ItemRequest(ticket_type_id=seats.id, quantity=1)]
    )
    with pytest.raises(OrderTransitionNotAllowed):
        await payments.refund(crew["olga"].actor, pending.id, None, None)
    assert provider.refunds == []


async def test_a_failing_provider_changes_nothing(
    uow, clock: FakeClock, orders: Orders, paid: Order, crew, store: MemoryStore
) -> None:
    broken = Payments(uow, clock, orders, [BrokenProvider()])
    with pytest.raises(ConnectionError):
        await broken.refund(crew["olga"].actor, paid.id, None, None)
    assert store.state.orders[paid.id].status is OrderStatus.PAID
    assert store.state.orders[paid.id].refunded == Money(0, "EUR")
    assert valid_tickets(store, paid.id) == [True, True]
    assert events_of(store, OrderRefunded) == []


async def test_who_may_refund(payments: Payments, paid: Order, crew, store: MemoryStore) -> None:
    for who in ("sam", "cora"):  # the buyer and a collaborator know the order: 403
        with pytest.raises(PermissionDenied):
            await payments.refund(crew[who].actor, paid.id, Money(100, "EUR"), None)
    with pytest.raises(OrderNotFound):  # to anyone else it does not exist
        await payments.refund(crew["fay"].actor, paid.id, Money(100, "EUR"), None)
    assert store.state.orders[paid.id].refunded == Money(0, "EUR")
    for who in ("olga", "adam", "root"):
        await payments.refund(crew[who].actor, paid.id, Money(100, "EUR"), None)
    assert store.state.orders[paid.id].refunded == Money(300, "EUR")
    with pytest.raises(OrderNotFound):
        await payments.refund(crew["olga"].actor, UUID(int=1), None, None)


async def test_cancelling_an_event_refunds_its_paid_tickets_once(
    payments: Payments,
    orders: Orders,
    crew,
    seats,
    shirt,
    show,
    store: MemoryStore,
    provider: FakeProvider,
) -> None:
    sams = await bought(orders, crew["sam"], ItemRequest(ticket_type_id=seats.id, quantity=2))
    fays = await bought(
        orders,
        crew["fay"],
        ItemRequest(ticket_type_id=seats.id, quantity=1),
        ItemRequest(product_id=shirt.id, quantity=1),
    )
    pending = await orders.place(
        crew["fay"].actor, [ItemRequest(ticket_type_id=seats.id, quantity=1)]
    )

    done = await payments.cancel_event(crew["olga"].actor, show.id)
    assert done.event.phase is EventPhase.CANCELLED
    assert store.state.events[show.id].phase is EventPhase.CANCELLED
    assert sorted((r.order.id, r.amount.amount) for r in done.refunds) == sorted(
        [(sams.id, 5000), (fays.id, 2500)]
    )
    assert store.state.orders[sams.id].status is OrderStatus.REFUNDED
    fay_order = store.state.orders[fays.id]
    assert fay_order.status is OrderStatus.PARTIALLY_REFUNDED
    assert fay_order.paid == Money(1999, "EUR")  # the shirt stays paid
    assert valid_tickets(store, sams.id) == [False, False]
    assert valid_tickets(store, fays.id) == [False]
    assert store.state.orders[pending.id].status is OrderStatus.PENDING

    again = await payments.cancel_event(crew["olga"].actor, show.id)  # idempotent
    assert again.refunds == []
    assert len(provider.refunds) == 2
    assert store.state.orders[fays.id].refunded == Money(2500, "EUR")


async def test_a_cancellation_refund_is_capped_by_what_is_left_paid(
    payments: Payments, orders: Orders, crew, seats, shirt, show, store: MemoryStore
) -> None:
    order = await bought(
        orders,
        crew["sam"],
        ItemRequest(ticket_type_id=seats.id, quantity=2),
        ItemRequest(product_id=shirt.id, quantity=1),
    )
    await payments.refund(crew["olga"].actor, order.id, Money(6000, "EUR"), None)  # 69.99 paid

    done = await payments.cancel_event(crew["olga"].actor, show.id)
    assert [r.amount for r in done.refunds] == [Money(999, "EUR")]
    assert store.state.orders[order.id].status is OrderStatus.REFUNDED
    assert valid_tickets(store, order.id) == [False, False]


async def test_a_failed_cancellation_refund_is_finished_by_a_second_call(
    uow, clock: FakeClock, orders: Orders, crew, seats, show, store: MemoryStore
) -> None:
    order = await bought(orders, crew["sam"], ItemRequest(ticket_type_id=seats.id, quantity=1))
    with pytest.raises(ConnectionError):
        await Payments(uow, clock, orders, [BrokenProvider()]).cancel_event(
            crew["olga"].actor, show.id
        )
    assert store.state.events[show.id].phase is EventPhase.CANCELLED
    assert store.state.orders[order.id].status is OrderStatus.PAID
    assert valid_tickets(store, order.id) == [True]

    working = FakeProvider()
    done = await Payments(uow, clock, orders, [working]).cancel_event(crew["olga"].actor, show.id)
    assert [r.amount for r in done.refunds] == [Money(2500, "EUR")]
    assert working.refunds == [(order.id, Money(2500, "EUR"))]
    assert valid_tickets(store, order.id) == [False]


async def test_who_may_cancel_and_when(
    payments: Payments, events: Events, orders: Orders, crew, seats, show, store: MemoryStore
) -> None:
    order = await bought(orders, crew["sam"], ItemRequest(ticket_type_id=seats.id, quantity=1))
    with pytest.raises(PermissionDenied):
        await payments.cancel_event(crew["sam"].actor, show.id)
    await events.move(crew["olga"].actor, show.id, EventPhase.LIVE)
    with pytest.raises(EventPhaseTransitionNotAllowed):
        await payments.cancel_event(crew["olga"].actor, show.id)
    assert store.state.orders[order.id].status is OrderStatus.PAID
    assert valid_tickets(store, order.id) == [True]


async def test_revenue_needs_view_revenue(
    payments: Payments, orders: Orders, crew, crew_entity, paid: Order
) -> None:
    await payments.refund(crew["olga"].actor, paid.id, Money(1000, "EUR"), None)
    revenue = await orders.revenue(crew["adam"].actor, crew_entity.slug)
    (eur,) = revenue.currencies
    assert (eur.gross, eur.refunded, eur.net, eur.orders) == (5000, 1000, 4000, 1)
    (show,) = revenue.events
    assert (show.gross, show.refunded, show.tickets_sold) == (5000, 1000, 2)
    assert revenue.products == []
    for who in ("cora", "sam", "fay"):
        with pytest.raises(PermissionDenied):
            await orders.revenue(crew[who].actor, crew_entity.id)
    assert (await orders.revenue(crew["root"].actor, crew_entity.id)).currencies == [eur]
