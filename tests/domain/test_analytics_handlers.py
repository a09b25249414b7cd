"""The analytics consumers, fed the events the real use cases raise: between two recomputes
the counters they move equal what the second recompute computes from the tables, and events
from before a recompute (already counted by it) are not counted again."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from showgeo_adapters.memory import FakeClock, MemoryStore
from showgeo_domain.analytics.handlers import CONSUMERS
from showgeo_domain.analytics.jobs import JobTrigger
from showgeo_domain.analytics.recompute import Recompute
from showgeo_domain.analytics.services import Analytics
from showgeo_domain.analytics.summaries import Metric
from showgeo_domain.events.services import EventDetails, Events, TicketTypeDetails
from showgeo_domain.follow.services import Follows
from showgeo_domain.orders.payments import Payments
from showgeo_domain.orders.services import ItemRequest, Orders
from showgeo_domain.shared.messaging import OutboxMessage, idempotent_consumer
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import PageRequest
from showgeo_domain.store.model import ProductKind, Visibility
from showgeo_domain.store.services import ProductDetails, Store
from tests.domain.test_payments import FakeProvider

NOT_LIVE = {
    Metric.NORMALISED_SCORE.value,
    Metric.RECOMPUTED.value,
    Metric.RECOMPUTE_STARTED_AT.value,
    Metric.NEIGHBOURS_GENERATION.value,
}


def test_every_consumer_is_named_once() -> None:
    names = [name for name, _, _ in CONSUMERS]
    assert len(set(names)) == len(names)
    assert all(name.startswith("analytics.") for name in names)


@pytest.fixture
def deliver(store: MemoryStore, uow, clock: FakeClock):
    handlers = {
        subject: idempotent_consumer(uow, clock, name, work) for name, subject, work in CONSUMERS
    }

    async def deliver() -> None:
        for event in list(store.outbox):
            handler = handlers.get(type(event).subject())
            if handler is not None:
                message = OutboxMessage(
                    event.id, type(event).subject(), msgspec.json.encode(event), event.occurred_at
                )
                await handler(message)
                await handler(message)  # a redelivery changes nothing

    return deliver


async def test_counters_between_recomputes_equal_the_next_recompute(
    sign_up, team, uow, clock: FakeClock, deliver, events: Events, shop: Store
) -> None:
    follows = Follows(uow, clock)
    orders = Orders(uow, clock)
    payments = Payments(uow, clock, orders, [FakeProvider()])
    recompute = Recompute(uow, clock)
    analytics = Analytics(uow, clock, recompute)
    olga, sam, fay, root = (
        await sign_up("olga"),
        await sign_up("sam"),
        await sign_up("fay"),
        await sign_up("root", admin=True),
    )
    band = await team(olga)
    await follows.follow(fay.actor, band.id)
    show = await events.create(
        olga.actor, band.id, EventDetails(title="Set", starts_at=clock.now() + timedelta(days=7))
    )
    seats = await events.add_ticket_type(
        olga.actor, show.id, TicketTypeDetails(name="GA", price=Money(2500, "EUR"), quota=10)
    )
    shirt = await shop.create(
        olga.actor,
        band.id,
        ProductDetails(
            title="Shirt",
            kind=ProductKind.PHYSICAL,
            price=Money(1999, "EUR"),
            visibility=Visibility.PUBLIC,
            stock=9,
        ),
    )
    await shop.publish(olga.actor, shirt.id)
    first = await orders.place(fay.actor, [ItemRequest(ticket_type_id=seats.id, quantity=1)])
    await orders.settle_payment(first.id, payment_ref=f"pay_{first.id}")

    clock.advance(timedelta(minutes=5))
    await recompute.run_now(JobTrigger.CLI)
    clock.advance(timedelta(minutes=5))

    # after the recompute: new people, follows, purchases, a refund, a check-in, an unfollow
    late = await sign_up("late")
    await follows.follow(sam.actor, band.id)
    await follows.follow(late.actor, band.id)
    await follows.unfollow(fay.actor, band.id)
    order = await orders.place(
        sam.actor,
        [
            ItemRequest(ticket_type_id=seats.id, quantity=2),
            ItemRequest(product_id=shirt.id, quantity=3),
        ],
    )
    await orders.settle_payment(order.id, payment_ref=f"pay_{order.id}")
    await payments.refund(olga.actor, order.id, Money(1234, "EUR"), "sorry")
    ticket = (await orders.tickets_of(sam.actor, PageRequest())).items[0]
    await orders.check_in(olga.actor, ticket.code)
    await events.create(
        olga.actor, band.id, EventDetails(title="Encore", starts_at=clock.now() + timedelta(days=9))
    )
    await deliver()

    async def views() -> dict[str, dict[str, float]]:
        found = {
            "entity": await analytics.entity(root.actor, band.id, None, None),
            "event": await analytics.event(root.actor, show.id, None, None),
            "sam": await analytics.user(sam.actor, None, None),
            "fay": await analytics.user(fay.actor, None, None),
            "platform": await analytics.platform(root.actor, None, None),
        }
        return {
            name: {k: v for k, v in view.current.values.items() if k not in NOT_LIVE}
            for name, view in found.items()
        }

    live = await views()
    assert live["entity"]["followers"] == 2
    assert live["event"]["checked_in"] == 1
    clock.advance(timedelta(minutes=5))
    await recompute.run_now(JobTrigger.CLI)
    assert await views() == live
