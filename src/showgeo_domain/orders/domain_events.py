from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from showgeo_domain.shared.domain_events import DomainEvent


class OrdersEvent(DomainEvent, frozen=True, kw_only=True):
    context: ClassVar[str] = "orders"


class OrderPlaced(OrdersEvent, frozen=True, kw_only=True):
    order_id: UUID
    buyer_id: UUID
    entity_id: UUID
    total_amount: int
    currency: str


class OrderPaid(OrdersEvent, frozen=True, kw_only=True):
    """→ ORDER_PAID to the buyer; tickets are issued in the same transaction."""

    order_id: UUID
    buyer_id: UUID
    entity_id: UUID
    total_amount: int
    currency: str


class OrderExpired(OrdersEvent, frozen=True, kw_only=True):
    order_id: UUID
    buyer_id: UUID


class OrderCancelled(OrdersEvent, frozen=True, kw_only=True):
    order_id: UUID
    buyer_id: UUID


class OrderRefunded(OrdersEvent, frozen=True, kw_only=True):
    """→ REFUND_ISSUED to the buyer. `amount` is this refund; `refunded_total` all so far."""

    order_id: UUID
    buyer_id: UUID
    entity_id: UUID
    amount: int
    refunded_total: int
    currency: str
    reason: str | None


class TicketCheckedIn(OrdersEvent, frozen=True, kw_only=True):
    ticket_id: UUID
    event_id: UUID
    holder_id: UUID
