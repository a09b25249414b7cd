"""Two refunds of one order at once, each of 60% of it, on every backend: the order's row
lock is held across the provider call (which here takes a while), so the second refund sees
the first one's amount and is refused before its provider call. Exactly one succeeds, the
provider paid back once, and the order is refunded 60%."""

from __future__ import annotations

import asyncio

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.identity.model import Actor, Role
from showgeo_domain.orders.errors import RefundExceedsPayment
from showgeo_domain.orders.model import Order, OrderStatus
from showgeo_domain.orders.payments import Payments, RefundResult
from showgeo_domain.orders.services import Orders
from showgeo_domain.shared.money import Money
from tests.contract.builders import a_line, a_ticket_type, a_user, an_entity, an_event, an_order
from tests.contract.builders import store as save
from tests.domain.test_payments import FakeProvider


class SlowProvider(FakeProvider):
    async def refund(self, order: Order, amount: Money) -> str:
        await asyncio.sleep(0.05)  # the other refund runs meanwhile
        return await super().refund(order, amount)


async def test_two_concurrent_refunds_cannot_both_pass_the_bound(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana, entity = a_user(clock, "ana"), an_entity(clock, "band")
    event = an_event(clock, entity)
    seats = a_ticket_type(clock, event, price=Money(2500, "EUR"))
    await save(uow_factory, users=[ana], entities=[entity], events=[event], ticket_types=[seats])
    order = an_order(clock, ana, a_line(seats, 2))
    order.mark_paid(payment_ref="pay_1", now=clock.tick())
    async with uow_factory() as uow:
        await uow.orders.add(order)
        await uow.commit()

    provider = SlowProvider()
    payments = Payments(uow_factory, clock, Orders(uow_factory, clock), [provider])
    admin = Actor(ana.id, frozenset({Role.USER, Role.ADMIN}))
    sixty = Money(3000, "EUR")

    outcomes = await asyncio.gather(
        payments.refund(admin, order.id, sixty, None),
        payments.refund(admin, order.id, sixty, None),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["RefundExceedsPayment", "RefundResult"]
    assert any(isinstance(o, RefundResult) for o in outcomes)
    assert any(isinstance(o, RefundExceedsPayment) for o in outcomes)
    assert provider.refunds == [(order.id, sixty)]
    async with uow_factory() as uow:
        stored = await uow.orders.get(order.id)
    assert stored is not None
    assert (stored.status, stored.refunded) == (OrderStatus.PARTIALLY_REFUNDED, sixty)
