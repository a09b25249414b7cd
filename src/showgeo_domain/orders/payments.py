"""Payments: open a checkout for an order, and act on what the payment provider tells us.

A provider's webhook is handled in four steps (ARCHITECTURE §3, "Webhooks in"):

1. verify its signature (pure, before any I/O; a bad one raises InvalidWebhookSignature and
   nothing is stored);
2. store the raw delivery in the webhook inbox keyed by (provider, event id), in its own
   committed transaction; a replay of a delivery already processed stops here;
3. act, idempotently: a completed checkout settles the order (confirming its reservations and
   issuing tickets once); an expired checkout expires the order if it is still PENDING and
   gives its seats and stock back;
4. mark the delivery processed.

Out of order is harmless: an expired notice after a completed one finds the order PAID and
changes nothing, and a completed notice for an order that already expired or was cancelled
cannot take seats that may be sold to someone else by now — the buyer's money goes back
through a full refund at the provider, and the order stays as it was.

If the process dies between steps 2 and 4 the delivery stays stored with `processed_at` unset,
and the provider's retry of it is acted on again (every action is idempotent), so a crash
never swallows a payment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

from showgeo_domain.orders.errors import OrderNotFound, OrderTransitionNotAllowed
from showgeo_domain.orders.model import Order, OrderStatus
from showgeo_domain.orders.ports import (
    Checkout,
    PaymentNotice,
    PaymentNoticeKind,
    PaymentProvider,
)
from showgeo_domain.orders.services import Orders, Settlement
from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory


class Payments:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        orders: Orders,
        providers: Sequence[PaymentProvider],
        *,
        default_provider: str | None = None,
    ) -> None:
        if not providers:
            raise ValueError("Payments needs at least one provider")
        self._uow = uow
        self._clock = clock
        self._orders = orders
        self._providers: Mapping[str, PaymentProvider] = {p.name: p for p in providers}
        self._default = self._providers[default_provider or providers[0].name]

    def provider(self, name: str | None = None) -> PaymentProvider:
        if name is None:
            return self._default
        try:
            return self._providers[name]
        except KeyError:
            raise InvalidInput(f"no payment provider {name!r}", field="provider") from None

    async def order(self, order_id: UUID) -> Order:
        """An order as a provider's hosted checkout page shows it. No actor: the page has
        verified its own signed link, which only this server can mint for this order. An
        overdue reservation is expired on read, as `Orders.get` does."""
        async with self._uow() as uow:
            order = await uow.orders.get(order_id)
        if order is None:
            raise OrderNotFound(f"no order {order_id}")
        if order.is_overdue(self._clock.now()):
            await self._orders.expire(order_id, only_if_overdue=True)
            async with self._uow() as uow:
                order = await uow.orders.get(order_id)
            assert order is not None
        return order

    async def checkout(self, order: Order) -> Checkout:
        """Open a payment session for a PENDING order and remember its reference on the
        order (`payment_ref`), which the provider's notices then carry."""
        if order.status is not OrderStatus.PENDING:
            raise OrderTransitionNotAllowed(
                f"an order that is {order.status.value} cannot be paid",
                current_status=order.status.value,
            )
        checkout = await self._default.open_checkout(order)
        async with self._uow() as uow:
            stored = await uow.orders.get(order.id, for_update=True)
            if stored is None:
                raise OrderNotFound(f"no order {order.id}")
            if stored.status is OrderStatus.PENDING:
                stored.payment_ref = checkout.session_ref
                await uow.orders.update(stored)
                await uow.commit()
                order.payment_ref = checkout.session_ref
        return checkout

    async def receive(self, provider_name: str, body: bytes, headers: Mapping[str, str]) -> None:
        """Handle one webhook delivery; see the module docstring. Returns normally for
        replays, ignored kinds and notices about orders we do not have (the provider must
        get its 2xx and stop retrying)."""
        provider = self.provider(provider_name)
        notice = provider.verify_webhook(body, headers)
        async with self._uow() as uow:
            fresh = await uow.webhook_inbox.record(
                notice.provider, notice.event_ref, body, self._clock.now()
            )
            if not fresh:
                return
            await uow.commit()
        await self._act(provider, notice)
        async with self._uow() as uow:
            await uow.webhook_inbox.mark_processed(
                notice.provider, notice.event_ref, self._clock.now()
            )
            await uow.commit()

    async def _act(self, provider: PaymentProvider, notice: PaymentNotice) -> None:
        if notice.order_id is None:
            return
        if notice.kind is PaymentNoticeKind.CHECKOUT_COMPLETED:
            await self._completed(provider, notice.order_id, notice.payment_ref)
        elif notice.kind is PaymentNoticeKind.CHECKOUT_EXPIRED:
            # The session is dead: a PENDING order expires now, overdue or not.
            await self._orders.expire(notice.order_id, only_if_overdue=False)

    async def _completed(
        self, provider: PaymentProvider, order_id: UUID, payment_ref: str | None
    ) -> None:
        try:
            settlement = await self._orders.settle_payment(order_id, payment_ref=payment_ref)
        except OrderNotFound:
            return
        if settlement is Settlement.TOO_LATE:
            async with self._uow() as uow:
                order = await uow.orders.get(order_id)
            if order is not None:
                # The reservation is gone: give the buyer's money back, in full.
                await provider.refund(order, order.total)
