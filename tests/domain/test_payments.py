"""Payments on the memory adapters with a fake provider: checkout remembers the session,
a verified notice is stored once and acted on once, replays and out-of-order notices change
nothing they should not, and a payment that arrives too late is refunded in full."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from uuid import UUID

import msgspec
import pytest

from showgeo_adapters.memory import FakeClock, MemoryStore
from showgeo_domain.events.model import EventPhase
from showgeo_domain.events.services import EventDetails, Events, TicketTypeDetails
from showgeo_domain.orders.errors import (
    InvalidWebhookSignature,
    OrderNotFound,
    OrderTransitionNotAllowed,
)
from showgeo_domain.orders.model import Order, OrderStatus
from showgeo_domain.orders.payments import Payments
from showgeo_domain.orders.ports import Checkout, PaymentNotice, PaymentNoticeKind
from showgeo_domain.orders.services import ItemRequest, Orders
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.money import Money


class FakeProvider:
    """Notices are JSON {id, kind, order_id?, payment_ref?}; the signature is the header
    `sig: good`. Refunds are remembered."""

    name = "fake"
    local_checkout = False

    def __init__(self) -> None:
        self.refunds: list[tuple[UUID, Money]] = []
        self.sessions = 0

    async def open_checkout(self, order: Order) -> Checkout:
        self.sessions += 1
        return Checkout(
            url=f"https://pay.test/{order.id}",
            session_ref=f"sess_{self.sessions}",
            expires_at=order.expires_at,
        )

    async def refund(self, order: Order, amount: Money) -> str:
        self.refunds.append((order.id, amount))
        return f"re_{len(self.refunds)}"

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> PaymentNotice:
        if headers.get("sig") != "good":
            raise InvalidWebhookSignature("bad signature")
        data = msgspec.json.decode(body)
        return PaymentNotice(
            provider=self.name,
            event_ref=data["id"],
            kind=PaymentNoticeKind(data["kind"]),
            order_id=UUID(data["order_id"]) if data.get("order_id") else None,
            payment_ref=data.get("payment_ref"),
            refunded_total=data.get("refunded_total"),
        )


GOOD = {"sig": "good"}


def notice(event_id: str, kind: PaymentNoticeKind, order_id: UUID | None) -> bytes:
    return msgspec.json.encode(
        {
            "id": event_id,
            "kind": kind.value,
            "order_id": str(order_id) if order_id else None,
            "payment_ref": "pay_1",
        }
    )


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
async def seats(events: Events, crew, crew_entity, clock: FakeClock):
    show = await events.create(
        crew["olga"].actor,
        crew_entity.id,
        EventDetails(title="Night Shift Live", starts_at=clock.now() + timedelta(days=7)),
    )
    return await events.add_ticket_type(
        crew["olga"].actor,
        show.id,
        TicketTypeDetails(name="General", price=Money(2500, "EUR"), quota=5),
    )


@pytest.fixture
async def order(orders: Orders, crew, seats) -> Order:
    return await orders.place(crew["sam"].actor, [ItemRequest(ticket_type_id=seats.id, quantity=2)])


def counters(store: MemoryStore, item_id: UUID) -> tuple[int, int]:
    item = store.state.ticket_types[item_id]
    return item.sold, item.reserved


def inbox(store: MemoryStore) -> dict[str, bool]:
    """event_ref → processed, for the fake provider's deliveries."""
    return {
        ref: stored.processed_at is not None
        for (provider, ref), stored in store.state.webhook_events.items()
        if provider == "fake"
    }


async def test_checkout_remembers_the_session_on_the_order(
    payments: Payments, order: Order, store: MemoryStore
) -> None:
    checkout = await payments.checkout(order)
    assert checkout.url.endswith(str(order.id))
    assert checkout.expires_at == order.expires_at
    assert store.state.orders[order.id].payment_ref == checkout.session_ref == order.payment_ref


class LocalProvider(FakeProvider):
    """A provider whose checkout is a signed link: opened inside the placing transaction.
    Records whether the order was already stored when it was asked."""

    local_checkout = True

    def __init__(self, store: MemoryStore) -> None:
        super().__init__()
        self.store = store
        self.stored_when_opened: list[bool] = []

    async def open_checkout(self, order: Order) -> Checkout:
        self.stored_when_opened.append(order.id in self.store.state.orders)
        return await super().open_checkout(order)


async def test_a_local_checkout_is_opened_before_the_order_is_stored(
    uow, clock: FakeClock, orders: Orders, store: MemoryStore, crew, seats
) -> None:
    local = LocalProvider(store)
    payments = Payments(uow, clock, orders, [local])
    items = [ItemRequest(ticket_type_id=seats.id, quantity=2)]
    order, checkout = await payments.place(crew["sam"].actor, items, idempotency_key="k1")
    assert checkout is not None
    assert local.stored_when_opened == [False]
    assert store.state.orders[order.id].payment_ref == checkout.session_ref == order.payment_ref
    assert counters(store, seats.id) == (0, 2)
    # a retry with the same key answers the same order and opens a fresh session for it
    again, second = await payments.place(crew["sam"].actor, items, idempotency_key="k1")
    assert again.id == order.id
    assert second is not None
    assert store.state.orders[order.id].payment_ref == second.session_ref != checkout.session_ref
    assert local.stored_when_opened == [False, True]
    assert counters(store, seats.id) == (0, 2)


async def test_a_network_checkout_is_opened_after_the_order_is_stored(
    payments: Payments, provider: FakeProvider, store: MemoryStore, crew, seats
) -> None:
    items = [ItemRequest(ticket_type_id=seats.id, quantity=1)]
    order, checkout = await payments.place(crew["sam"].actor, items)
    assert checkout is not None
    assert provider.sessions == 1
    assert store.state.orders[order.id].payment_ref == checkout.session_ref


async def test_a_retry_of_a_cancelled_order_gets_no_checkout(
    payments: Payments, orders: Orders, store: MemoryStore, crew, seats
) -> None:
    items = [ItemRequest(ticket_type_id=seats.id, quantity=1)]
    order, _ = await payments.place(crew["sam"].actor, items, idempotency_key="k2")
    await orders.cancel(crew["sam"].actor, order.id)
    again, checkout = await payments.place(crew["sam"].actor, items, idempotency_key="k2")
    assert again.id == order.id
    assert again.status is OrderStatus.CANCELLED
    assert checkout is None


async def test_only_pending_orders_get_a_checkout(
    payments: Payments, orders: Orders, order: Order, crew
) -> None:
    cancelled = await orders.cancel(crew["sam"].actor, order.id)
    with pytest.raises(OrderTransitionNotAllowed):
        await payments.checkout(cancelled)


async def test_a_completed_checkout_pays_and_issues_tickets_once(
    payments: Payments, order: Order, store: MemoryStore, seats
) -> None:
    body = notice("evt_1", PaymentNoticeKind.CHECKOUT_COMPLETED, order.id)
    await payments.receive("fake", body, GOOD)

    paid = store.state.orders[order.id]
    assert paid.status is OrderStatus.PAID
    assert paid.payment_ref == "pay_1"
    assert len(store.state.tickets) == 2
    assert counters(store, seats.id) == (2, 0)
    assert inbox(store) == {"evt_1": True}
    assert store.state.webhook_events[("fake", "evt_1")].payload == body

    await payments.receive("fake", body, GOOD)  # a replay
    assert len(store.state.tickets) == 2
    assert counters(store, seats.id) == (2, 0)


async def test_a_delivery_stored_before_a_crash_is_acted_on_when_retried(
    payments: Payments, order: Order, store: MemoryStore, uow, clock: FakeClock
) -> None:
    body = notice("evt_1", PaymentNoticeKind.CHECKOUT_COMPLETED, order.id)
    async with uow() as unit:  # what `receive` had done when the process died
        await unit.webhook_inbox.record("fake", "evt_1", body, clock.now())
        await unit.commit()
    assert store.state.orders[order.id].status is OrderStatus.PENDING

    await payments.receive("fake", body, GOOD)  # the provider retries
    assert store.state.orders[order.id].status is OrderStatus.PAID
    assert len(store.state.tickets) == 2
    assert inbox(store) == {"evt_1": True}


async def test_a_second_delivery_of_the_same_payment_changes_nothing(
    payments: Payments, order: Order, store: MemoryStore
) -> None:
    await payments.receive(
        "fake", notice("evt_1", PaymentNoticeKind.CHECKOUT_COMPLETED, order.id), GOOD
    )
    await payments.receive(
        "fake", notice("evt_2", PaymentNoticeKind.CHECKOUT_COMPLETED, order.id), GOOD
    )
    assert len(store.state.tickets) == 2
    assert inbox(store) == {"evt_1": True, "evt_2": True}


async def test_a_bad_signature_stores_and_changes_nothing(
    payments: Payments, order: Order, store: MemoryStore, seats
) -> None:
    body = notice("evt_1", PaymentNoticeKind.CHECKOUT_COMPLETED, order.id)
    with pytest.raises(InvalidWebhookSignature):
        await payments.receive("fake", body, {"sig": "forged"})
    assert store.state.webhook_events == {}
    assert store.state.orders[order.id].status is OrderStatus.PENDING
    assert counters(store, seats.id) == (0, 2)


async def test_an_unknown_provider_is_bad_input(payments: Payments, order: Order) -> None:
    with pytest.raises(InvalidInput):
        await payments.receive("nobody", b"{}", GOOD)


async def test_an_expired_checkout_expires_the_order_and_gives_seats_back(
    payments: Payments, order: Order, store: MemoryStore, seats, clock: FakeClock
) -> None:
    assert clock.now() < order.expires_at  # not overdue: the provider's word is enough
    await payments.receive(
        "fake", notice("evt_1", PaymentNoticeKind.CHECKOUT_EXPIRED, order.id), GOOD
    )
    assert store.state.orders[order.id].status is OrderStatus.EXPIRED
    assert counters(store, seats.id) == (0, 0)
    assert inbox(store) == {"evt_1": True}


async def test_expired_after_completed_changes_nothing(
    payments: Payments, order: Order, store: MemoryStore, seats, provider: FakeProvider
) -> None:
    await payments.receive(
        "fake", notice("evt_1", PaymentNoticeKind.CHECKOUT_COMPLETED, order.id), GOOD
    )
    await payments.receive(
        "fake", notice("evt_2", PaymentNoticeKind.CHECKOUT_EXPIRED, order.id), GOOD
    )
    assert store.state.orders[order.id].status is OrderStatus.PAID
    assert counters(store, seats.id) == (2, 0)
    assert len(store.state.tickets) == 2
    assert provider.refunds == []


async def test_a_payment_after_expiry_is_refunded_in_full(
    payments: Payments, order: Order, store: MemoryStore, seats, provider: FakeProvider
) -> None:
    await payments.receive(
        "fake", notice("evt_1", PaymentNoticeKind.CHECKOUT_EXPIRED, order.id), GOOD
    )
    await payments.receive(
        "fake", notice("evt_2", PaymentNoticeKind.CHECKOUT_COMPLETED, order.id), GOOD
    )
    assert provider.refunds == [(order.id, Money(5000, "EUR"))]
    assert store.state.orders[order.id].status is OrderStatus.EXPIRED
    assert store.state.tickets == {}
    assert counters(store, seats.id) == (0, 0)
    assert inbox(store) == {"evt_1": True, "evt_2": True}


async def test_paying_for_a_show_cancelled_meanwhile_is_refunded_not_ticketed(
    payments: Payments,
    order: Order,
    store: MemoryStore,
    seats,
    provider: FakeProvider,
    events: Events,
    crew,
) -> None:
    await events.move(crew["olga"].actor, seats.event_id, EventPhase.CANCELLED)
    await payments.receive(
        "fake", notice("evt_1", PaymentNoticeKind.CHECKOUT_COMPLETED, order.id), GOOD
    )
    assert provider.refunds == [(order.id, Money(5000, "EUR"))]
    assert store.state.orders[order.id].status is OrderStatus.CANCELLED
    assert store.state.orders[order.id].payment_ref == "pay_1"  # the refund names it
    assert store.state.tickets == {}
    assert counters(store, seats.id) == (0, 0)


async def test_a_payment_after_the_reservation_lapsed_is_refunded(
    payments: Payments,
    order: Order,
    store: MemoryStore,
    provider: FakeProvider,
    orders: Orders,
    clock: FakeClock,
) -> None:
    clock.advance(timedelta(minutes=16))
    assert await orders.expire_overdue() == 1
    await payments.receive(
        "fake", notice("evt_1", PaymentNoticeKind.CHECKOUT_COMPLETED, order.id), GOOD
    )
    assert provider.refunds == [(order.id, Money(5000, "EUR"))]
    assert store.state.tickets == {}


async def test_ignored_kinds_and_unknown_orders_are_stored_and_acknowledged(
    payments: Payments, store: MemoryStore
) -> None:
    await payments.receive("fake", notice("evt_1", PaymentNoticeKind.IGNORED, None), GOOD)
    await payments.receive(
        "fake",
        notice(
            "evt_2",
            PaymentNoticeKind.CHECKOUT_COMPLETED,
            UUID("00000000-0000-4000-8000-000000000000"),
        ),
        GOOD,
    )
    assert inbox(store) == {"evt_1": True, "evt_2": True}
    assert store.state.orders == {}


async def test_the_checkout_page_reads_orders_and_expires_overdue_ones(
    payments: Payments, order: Order, store: MemoryStore, seats, clock: FakeClock
) -> None:
    assert (await payments.order(order.id)).status is OrderStatus.PENDING
    clock.advance(timedelta(minutes=15))
    assert (await payments.order(order.id)).status is OrderStatus.EXPIRED
    assert counters(store, seats.id) == (0, 0)
    with pytest.raises(OrderNotFound):
        await payments.order(UUID("00000000-0000-4000-8000-000000000000"))


def refunded_at_provider(event_id: str, payment_ref: str, total: int) -> bytes:
    return msgspec.json.encode(
        {
            "id": event_id,
            "kind": PaymentNoticeKind.REFUND_UPDATED,
            "payment_ref": payment_ref,
            "refunded_total": total,
        }
    )


async def test_a_refund_made_at_the_provider_is_recorded_once(
    payments: Payments, order: Order, store: MemoryStore, provider: FakeProvider
) -> None:
    await payments.receive(
        "fake", notice("evt_1", PaymentNoticeKind.CHECKOUT_COMPLETED, order.id), GOOD
    )
    await payments.receive("fake", refunded_at_provider("evt_2", "pay_1", 1500), GOOD)
    stored = store.state.orders[order.id]
    assert stored.status is OrderStatus.PARTIALLY_REFUNDED
    assert stored.refunded == Money(1500, "EUR")
    # the same total again (another event id) adds nothing; a higher one adds the rest
    await payments.receive("fake", refunded_at_provider("evt_3", "pay_1", 1500), GOOD)
    assert store.state.orders[order.id].refunded == Money(1500, "EUR")
    await payments.receive("fake", refunded_at_provider("evt_4", "pay_1", 5000), GOOD)
    stored = store.state.orders[order.id]
    assert stored.status is OrderStatus.REFUNDED
    assert all(not t.is_valid for t in store.state.tickets.values())
    assert provider.refunds == []  # recorded, not refunded a second time


async def test_our_own_refund_is_not_counted_twice_when_its_notice_arrives(
    payments: Payments, order: Order, store: MemoryStore, crew
) -> None:
    await payments.receive(
        "fake", notice("evt_1", PaymentNoticeKind.CHECKOUT_COMPLETED, order.id), GOOD
    )
    await payments.refund(crew["olga"].actor, order.id, Money(2000, "EUR"), reason=None)
    await payments.receive("fake", refunded_at_provider("evt_2", "pay_1", 2000), GOOD)
    assert store.state.orders[order.id].refunded == Money(2000, "EUR")
