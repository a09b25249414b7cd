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

Refunds (`refund`, and `cancel_event` for every paid order of a cancelled event) run in one
transaction that holds the order's row lock across the provider call: the domain checks the
amount against what is left paid on the locked order first, the provider is called only for
an amount that passed, and the change is committed after it answered. Two concurrent refunds
are serialised on the lock, so they can never together exceed the payment; if the provider
fails the transaction rolls back and nothing changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from showgeo_domain.entities.policy import EntityPermission
from showgeo_domain.entities.services import find_entity, require_permission, role_of
from showgeo_domain.events.model import Event, EventPhase
from showgeo_domain.events.services import find_event
from showgeo_domain.identity.model import Actor
from showgeo_domain.orders.errors import OrderNotFound, OrderTransitionNotAllowed
from showgeo_domain.orders.model import LineKind, Order, OrderStatus
from showgeo_domain.orders.ports import (
    Checkout,
    OrdersUnitOfWork,
    PaymentNotice,
    PaymentNoticeKind,
    PaymentProvider,
)
from showgeo_domain.orders.services import ItemRequest, Orders, Settlement
from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.errors import InvalidInput, PermissionDenied
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory

EVENT_CANCELLED_REASON = "event cancelled"


@dataclass(frozen=True, slots=True)
class RefundResult:
    order: Order
    amount: Money
    provider_ref: str


@dataclass(frozen=True, slots=True)
class EventCancellation:
    """The cancelled event and the refunds this call made (none on a repeat)."""

    event: Event
    refunds: list[RefundResult]


class Payments:
    def __init__(
        self,
        uow: UnitOfWorkFactory[OrdersUnitOfWork],
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

    async def place(
        self, actor: Actor, items: list[ItemRequest], *, idempotency_key: str | None = None
    ) -> tuple[Order, Checkout | None]:
        """Place an order (`Orders.place`) and open its checkout; no checkout for a retry
        answered by an order that is no longer PENDING. With a provider whose checkout is
        local (a signed link) it is opened inside the placing transaction and its reference
        written by the order's own INSERT: one transaction instead of two. A network
        provider's session is opened after the commit, never under the reservations' locks."""
        opened: list[Checkout] = []
        before_insert = None
        if self._default.local_checkout:

            async def before_insert(order: Order) -> None:
                checkout = await self._default.open_checkout(order)
                order.payment_ref = checkout.session_ref
                opened.append(checkout)

        order = await self._orders.place(
            actor, items, idempotency_key=idempotency_key, before_insert=before_insert
        )
        if opened and order.payment_ref == opened[0].session_ref:
            return order, opened[0]
        if order.status is not OrderStatus.PENDING:
            return order, None
        return order, await self.checkout(order)

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
        if notice.kind is PaymentNoticeKind.REFUND_UPDATED:
            await self._refunded_at_provider(notice)  # may name the payment, not the order
        elif notice.order_id is None:
            return
        elif notice.kind is PaymentNoticeKind.CHECKOUT_COMPLETED:
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

    async def refund(
        self, actor: Actor, order_id: UUID, amount: Money | None, reason: str | None
    ) -> RefundResult:
        """Give back `amount` (default: all that is left paid) of an order. Staff with
        ISSUE_REFUNDS on the seller (owners, entity admins) and platform admins may; the buyer
        and the seller's other members get 403, anyone else 404 (as for reading it)."""
        async with self._uow() as uow:
            order = await uow.orders.get(order_id, for_update=True)
            if order is None:
                raise OrderNotFound(f"no order {order_id}")
            entity = await find_entity(uow, order.entity_id)
            try:
                await require_permission(uow, entity, actor, EntityPermission.ISSUE_REFUNDS)
            except PermissionDenied as exc:
                knows_it = order.buyer_id == actor.user_id or (
                    await role_of(uow, entity.id, actor) is not None
                )
                if knows_it:
                    raise
                raise OrderNotFound(f"no order {order_id}") from exc
            result = await self._refund_locked(uow, order, amount, reason, event_id=None)
            await uow.commit()
            return result

    async def cancel_event(self, actor: Actor, event_id: UUID) -> EventCancellation:
        """Cancel an event (MANAGE_EVENTS, PRE_LIVE only, through the event's own rules) and
        refund its paid tickets: for every PAID or PARTIALLY_REFUNDED order with tickets of
        it, the price of those of its tickets still valid (capped by what is left paid on the
        order) goes back, and they are voided; other lines of the order stay paid.

        Idempotent and resumable: the event is committed CANCELLED first, then each order is
        refunded in its own transaction. Calling again on a CANCELLED event (after a provider
        failure, say) refunds only the tickets not voided yet."""
        async with self._uow() as uow:
            event = await find_event(uow, event_id, for_update=True)
            entity = await find_entity(uow, event.entity_id)
            await require_permission(uow, entity, actor, EntityPermission.MANAGE_EVENTS)
            if event.phase is not EventPhase.CANCELLED:
                event.move_to(EventPhase.CANCELLED, by=actor.user_id, now=self._clock.now())
                await uow.events.update(event)
                await uow.commit()
        async with self._uow() as uow:
            order_ids = await uow.orders.paid_with_event(event_id)
        refunds = []
        for order_id in order_ids:
            refunded = await self._refund_event_tickets(order_id, event_id)
            if refunded is not None:
                refunds.append(refunded)
        return EventCancellation(event, refunds)

    async def _refund_event_tickets(self, order_id: UUID, event_id: UUID) -> RefundResult | None:
        async with self._uow() as uow:
            order = await uow.orders.get(order_id, for_update=True)
            if order is None or order.status not in (
                OrderStatus.PAID,
                OrderStatus.PARTIALLY_REFUNDED,
            ):
                return None
            prices = {
                line.item_id: line.unit_price
                for line in order.lines
                if line.kind is LineKind.TICKET and line.event_id == event_id
            }
            valid = [
                t
                for t in await uow.tickets.list_for_order(order.id)
                if t.event_id == event_id and t.is_valid
            ]
            value = sum(
                prices[t.ticket_type_id].amount for t in valid if t.ticket_type_id in prices
            )
            amount = min(value, order.paid.amount)
            result = None
            if amount > 0:
                result = await self._refund_locked(
                    uow,
                    order,
                    Money(amount, order.total.currency),
                    EVENT_CANCELLED_REASON,
                    event_id=event_id,
                )
            else:
                await uow.tickets.void_for_order(order.id, self._clock.now(), event_id=event_id)
            await uow.commit()
            return result

    async def _refunded_at_provider(self, notice: PaymentNotice) -> None:
        """Money given back outside our API (the provider's dashboard, a dispute) is recorded
        on the order. The notice carries the provider's running total, so applying it is
        idempotent: our own refunds are already counted when their notice arrives (the order
        row lock makes the notice wait for the refund's commit), and replays add nothing."""
        if notice.refunded_total is None:
            return
        async with self._uow() as uow:
            if notice.order_id is not None:
                order = await uow.orders.get(notice.order_id, for_update=True)
            elif notice.payment_ref is not None:
                order = await uow.orders.get_by_payment_ref(notice.payment_ref, for_update=True)
            else:
                return
            if order is None or order.status not in (
                OrderStatus.PAID,
                OrderStatus.PARTIALLY_REFUNDED,
            ):
                return
            missing = min(notice.refunded_total - order.refunded.amount, order.paid.amount)
            if missing <= 0:
                return
            now = self._clock.now()
            order.refund(
                Money(missing, order.total.currency),
                reason="refunded at the payment provider",
                now=now,
            )
            if order.paid.amount == 0:
                await uow.tickets.void_for_order(order.id, now)
            await uow.orders.update(order)
            await uow.commit()

    async def _refund_locked(
        self,
        uow: OrdersUnitOfWork,
        order: Order,
        amount: Money | None,
        reason: str | None,
        *,
        event_id: UUID | None,
    ) -> RefundResult:
        """On an order locked in `uow`: the domain checks the amount, then the provider pays
        it back, then the order and its tickets are written (the caller commits). A fully
        refunded order voids all its tickets; `event_id` voids that event's as well."""
        if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
            raise OrderTransitionNotAllowed(
                f"an order that is {order.status.value} cannot be refunded",
                current_status=order.status.value,
            )
        now: datetime = self._clock.now()
        refunded = order.refund(amount, reason=reason, now=now)
        provider_ref = await self._default.refund(order, refunded)
        if order.paid.amount == 0:  # fully refunded: the order is REFUNDED
            await uow.tickets.void_for_order(order.id, now)
        elif event_id is not None:
            await uow.tickets.void_for_order(order.id, now, event_id=event_id)
        await uow.orders.update(order)
        return RefundResult(order, refunded, provider_ref)
