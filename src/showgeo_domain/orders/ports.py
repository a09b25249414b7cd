"""What the orders context needs from storage (payments come through their own port)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

import msgspec

from showgeo_domain.orders.model import Order, Ticket
from showgeo_domain.orders.revenue import Revenue
from showgeo_domain.orders.seller_queries import (
    Attendee,
    AttendeeFilters,
    OrderScope,
    OrderTotals,
    SellerOrder,
    TicketTally,
)
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import Page, PageRequest
from showgeo_domain.store.ports import StoreUnitOfWork


class OrderRepository(Protocol):
    async def add(self, order: Order) -> bool:
        """False, storing nothing, when the buyer already has an order with this
        idempotency key (a concurrent retry won the race)."""
        ...

    async def update(self, order: Order) -> None: ...

    async def get(self, order_id: UUID, *, for_update: bool = False) -> Order | None: ...

    async def get_by_idempotency_key(self, buyer_id: UUID, key: str) -> Order | None: ...

    async def get_by_payment_ref(
        self, payment_ref: str, *, for_update: bool = False
    ) -> Order | None:
        """The order whose payment the provider knows by `payment_ref`."""
        ...

    async def list_for_buyer(self, buyer_id: UUID, page: PageRequest) -> Page[Order]:
        """Newest first."""
        ...

    async def overdue(self, now: datetime, limit: int) -> list[UUID]:
        """PENDING orders whose reservation has run out, oldest first."""
        ...

    async def paid_with_event(self, event_id: UUID) -> list[UUID]:
        """PAID and PARTIALLY_REFUNDED orders with a ticket line of this event, oldest
        first: what cancelling the event must refund."""
        ...

    async def revenue(self, entity_id: UUID) -> Revenue:
        """The entity's takings over orders that were ever paid, aggregated by the store
        (GROUP BY in SQL); see `showgeo_domain.orders.revenue`."""
        ...

    async def for_seller(self, scope: OrderScope, page: PageRequest) -> Page[SellerOrder]:
        """The scope's orders matching its filters, newest first (created_at, id), each with
        its buyer's name and email."""
        ...

    async def seller_totals(self, scope: OrderScope) -> OrderTotals:
        """How many orders match, and what they paid net of refunds per currency, summed by
        the store over all of them."""
        ...

    async def seller_order(self, entity_id: UUID, order_id: UUID) -> SellerOrder | None:
        """The order with its buyer, None unless it belongs to `entity_id`."""
        ...


class TicketRepository(Protocol):
    async def add_many(self, tickets: list[Ticket]) -> None: ...

    async def update(self, ticket: Ticket) -> None: ...

    async def get_by_code(self, code: str, *, for_update: bool = False) -> Ticket | None: ...

    async def list_for_order(self, order_id: UUID) -> list[Ticket]: ...

    async def void_for_order(
        self, order_id: UUID, at: datetime, *, event_id: UUID | None = None
    ) -> int:
        """Void the order's still-valid tickets (only those of `event_id` when given) in one
        update; tickets voided before keep their `voided_at`. Returns how many changed."""
        ...

    async def list_for_holder(self, holder_id: UUID, page: PageRequest) -> Page[Ticket]:
        """Newest first."""
        ...

    async def attendees(
        self, event_id: UUID, filters: AttendeeFilters, page: PageRequest
    ) -> Page[Attendee]:
        """The event's tickets with holder and ticket type, newest first (issued_at, id)."""
        ...

    async def tally(self, event_id: UUID) -> list[TicketTally]:
        """Per ticket type of the event that has tickets: issued, checked in, voided."""
        ...


class Checkout(msgspec.Struct, frozen=True):
    """Where the buyer pays: a hosted page (Stripe Checkout, or localpay's own page)."""

    url: str
    session_ref: str
    expires_at: datetime


class PaymentNoticeKind(StrEnum):
    CHECKOUT_COMPLETED = "CHECKOUT_COMPLETED"
    CHECKOUT_EXPIRED = "CHECKOUT_EXPIRED"
    REFUND_UPDATED = "REFUND_UPDATED"
    IGNORED = "IGNORED"
    """A verified event of a type we do not act on; stored, then acknowledged."""


class PaymentNotice(msgspec.Struct, frozen=True, kw_only=True):
    """What a verified provider webhook means for us, whatever the provider's wire format."""

    provider: str
    event_ref: str
    """The provider's id of this delivery's event: the de-duplication key of the inbox."""
    kind: PaymentNoticeKind
    order_id: UUID | None = None
    payment_ref: str | None = None
    refunded_total: int | None = None
    """REFUND_UPDATED: all the provider has refunded on this payment so far (minor units)."""


class PaymentProvider(Protocol):
    name: str
    local_checkout: bool
    """True when `open_checkout` does no I/O (it only signs a link): an order's checkout is
    then opened inside the transaction that places it, and its reference stored by the same
    INSERT. False for a provider reached over the network (Stripe): its session is opened
    after the commit, so no transaction is held open across the call."""

    async def open_checkout(self, order: Order) -> Checkout:
        """A payment session for `order` that expires with its reservation."""
        ...

    async def refund(self, order: Order, amount: Money) -> str:
        """Return `amount` of the order's payment; the provider's refund id."""
        ...

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> PaymentNotice:
        """Check the signature first; raises InvalidWebhookSignature. Pure: no I/O."""
        ...


class WebhookInbox(Protocol):
    async def record(self, provider: str, event_ref: str, payload: bytes, at: datetime) -> bool:
        """Store a verified delivery (the first copy wins). True while it still needs acting
        on: new, or stored before but never marked processed (the process died mid-way and
        the provider is retrying). False for a replay of a processed delivery."""
        ...

    async def mark_processed(self, provider: str, event_ref: str, at: datetime) -> None: ...


class OrdersUnitOfWork(StoreUnitOfWork, Protocol):
    """What the orders and payments use cases need: orders, tickets and the webhook inbox,
    over the ticket types (events) and products (store) they sell."""

    orders: OrderRepository
    tickets: TicketRepository
    webhook_inbox: WebhookInbox
