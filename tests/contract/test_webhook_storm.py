"""A Stripe webhook storm on PostgreSQL: the `checkout.session.completed` events of 1,000
orders (`nox -s hardening`; 200 in the everyday run), each delivered three times, shuffled
and eight at a time, each signed by Stripe's own scheme and verified by our Stripe adapter.
Every order is paid once: one ticket per seat, one stored delivery per event, one
`OrderPaid` per order."""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter

from sqlalchemy import func, select

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.sqlalchemy.tables import tickets, webhook_events
from showgeo_adapters.stripe import StripePayments
from showgeo_domain.orders.model import OrderStatus
from showgeo_domain.orders.payments import Payments
from showgeo_domain.orders.services import Orders
from tests.contract.builders import a_line, a_ticket_type, a_user, an_entity, an_event, an_order
from tests.contract.builders import store as save
from tests.contract.conftest import Backend
from tests.support.fake_stripe import completed_session, stripe_event, stripe_signature

ORDERS = int(os.environ.get("SHOWGEO_STORM_ORDERS", "200"))
SEATS = 2
SECRET = "whsec_storm"


async def test_each_order_settles_once_under_a_shuffled_triple_storm(
    postgres_backend: Backend,
) -> None:
    clock, uow = FakeClock(), postgres_backend.uow
    buyers = [a_user(clock, f"buyer_{n:02d}") for n in range(50)]
    entity = an_entity(clock, "storm")
    event = an_event(clock, entity)
    seats = a_ticket_type(clock, event, quota=ORDERS * SEATS)
    await save(uow, users=buyers, entities=[entity], events=[event], ticket_types=[seats])
    orders = [an_order(clock, buyers[n % len(buyers)], a_line(seats, SEATS)) for n in range(ORDERS)]
    async with uow() as unit:
        for order in orders:
            await unit.orders.add(order)
        await unit.commit()

    stripe = StripePayments(
        secret_key="sk_test_storm", webhook_secret=SECRET, public_base_url="http://127.0.0.1"
    )
    payments = Payments(uow, clock, Orders(uow, clock), [stripe])
    deliveries = []
    for n, order in enumerate(orders):
        body = stripe_event(
            "checkout.session.completed",
            completed_session(str(order.id), payment_intent=f"pi_{n}"),
            event_id=f"evt_storm_{n}",
        )
        deliveries.append((body, {"Stripe-Signature": stripe_signature(body, SECRET)}))
    storm = deliveries * 3
    random.Random(2026).shuffle(storm)
    gate = asyncio.Semaphore(8)

    async def deliver(body: bytes, headers: dict[str, str]) -> None:
        async with gate:
            await payments.receive(stripe.name, body, headers)

    try:
        await asyncio.gather(*(deliver(body, headers) for body, headers in storm))
    finally:
        await stripe.aclose()

    async with uow() as unit:
        stored = [await unit.orders.get(order.id) for order in orders]
    assert all(o is not None and o.status is OrderStatus.PAID for o in stored)
    assert {o.payment_ref for o in stored if o is not None} == {f"pi_{n}" for n in range(ORDERS)}
    assert postgres_backend.engine is not None
    async with postgres_backend.engine.connect() as connection:
        issued = await connection.scalar(select(func.count()).select_from(tickets))
        recorded = await connection.scalar(select(func.count()).select_from(webhook_events))
    assert issued == ORDERS * SEATS
    assert recorded == ORDERS
    paid = Counter(
        e.payload["order_id"]
        for e in await postgres_backend.outbox()
        if e.subject.endswith("order_paid")
    )
    assert len(paid) == ORDERS
    assert set(paid.values()) == {1}
