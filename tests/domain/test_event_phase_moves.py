"""`EventPhases.move`, the one use case behind the phase route and the page's buttons, on the
memory adapters with the fake provider: a cancellation refunds the paid tickets, any other
move only moves the phase; the event's rules and the team's permission hold either way.

The crew (conftest): `olga` owns `night-shift`, `sam` is a stranger who buys here."""

from __future__ import annotations

from datetime import timedelta

import pytest

from showgeo_adapters.memory import FakeClock, MemoryStore
from showgeo_domain.events.errors import EventPhaseTransitionNotAllowed
from showgeo_domain.events.model import Event, EventPhase
from showgeo_domain.events.services import EventDetails, Events, TicketTypeDetails
from showgeo_domain.orders.event_phases import EventPhases
from showgeo_domain.orders.model import Order, OrderStatus
from showgeo_domain.orders.payments import Payments
from showgeo_domain.orders.services import ItemRequest, Orders
from showgeo_domain.shared.errors import PermissionDenied
from showgeo_domain.shared.money import Money
from tests.domain.test_payments import FakeProvider


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider()


@pytest.fixture
def orders(uow, clock: FakeClock) -> Orders:
    return Orders(uow, clock)


@pytest.fixture
def phases(uow, clock: FakeClock, events: Events, orders: Orders, provider) -> EventPhases:
    return EventPhases(events, Payments(uow, clock, orders, [provider]))


@pytest.fixture
async def show(events: Events, crew, crew_entity, clock: FakeClock) -> Event:
    return await events.create(
        crew["olga"].actor,
        crew_entity.id,
        EventDetails(title="Night Shift Live", starts_at=clock.now() + timedelta(days=7)),
    )


@pytest.fixture
async def paid(events: Events, orders: Orders, crew, show: Event) -> Order:
    """`sam` paid 2 seats: 50.00 EUR."""
    seats = await events.add_ticket_type(
        crew["olga"].actor,
        show.id,
        TicketTypeDetails(name="General", price=Money(2500, "EUR"), quota=10),
    )
    order = await orders.place(
        crew["sam"].actor, [ItemRequest(ticket_type_id=seats.id, quantity=2)]
    )
    await orders.settle_payment(order.id, payment_ref=f"pay_{order.id}")
    return order


async def test_cancelling_refunds_the_paid_tickets(
    phases: EventPhases,
    paid: Order,
    show: Event,
    crew,
    store: MemoryStore,
    provider: FakeProvider,
) -> None:
    moved = await phases.move(crew["olga"].actor, show.id, EventPhase.CANCELLED)
    assert moved.phase is EventPhase.CANCELLED
    assert provider.refunds == [(paid.id, Money(5000, "EUR"))]
    assert store.state.orders[paid.id].status is OrderStatus.REFUNDED
    assert not any(t.is_valid for t in store.state.tickets.values() if t.order_id == paid.id)


async def test_going_live_and_ending_move_the_phase_and_refund_nothing(
    phases: EventPhases,
    paid: Order,
    show: Event,
    crew,
    store: MemoryStore,
    provider: FakeProvider,
) -> None:
    live = await phases.move(crew["olga"].actor, show.id, EventPhase.LIVE)
    assert live.phase is EventPhase.LIVE
    ended = await phases.move(crew["olga"].actor, show.id, EventPhase.POST_LIVE)
    assert ended.phase is EventPhase.POST_LIVE
    assert store.state.events[show.id].phase is EventPhase.POST_LIVE
    assert provider.refunds == []
    assert store.state.orders[paid.id].status is OrderStatus.PAID
    with pytest.raises(EventPhaseTransitionNotAllowed):  # over: too late to cancel
        await phases.move(crew["olga"].actor, show.id, EventPhase.CANCELLED)
    assert provider.refunds == []


@pytest.mark.parametrize("to", [EventPhase.LIVE, EventPhase.CANCELLED])
async def test_a_stranger_moves_nothing(
    phases: EventPhases, show: Event, crew, store: MemoryStore, to: EventPhase
) -> None:
    with pytest.raises(PermissionDenied):
        await phases.move(crew["sam"].actor, show.id, to)
    assert store.state.events[show.id].phase is EventPhase.PRE_LIVE
