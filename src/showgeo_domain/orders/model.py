"""The Order aggregate, its tickets and refunds.

States: PENDING → PAID → (PARTIALLY_REFUNDED →) REFUNDED, and PENDING → EXPIRED | CANCELLED.
Refunds never exceed what was paid. A paid order issues one ticket per seat, each with an
unguessable code; check-in marks a ticket used once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from showgeo_domain.orders.domain_events import (
    OrderCancelled,
    OrderExpired,
    OrderPaid,
    OrderPlaced,
    OrderRefunded,
    TicketCheckedIn,
)
from showgeo_domain.orders.errors import (
    MixedOrder,
    OrderTransitionNotAllowed,
    RefundExceedsPayment,
    TicketAlreadyUsed,
    TicketNotValid,
)
from showgeo_domain.shared.domain_events import DomainEvent, RecordsEvents
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.text import optional_text

MAX_QUANTITY = 50
MAX_LINES = 20
REASON_MAX = 500
DEFAULT_RESERVATION_TTL = timedelta(minutes=15)


class OrderStatus(StrEnum):
    PENDING = "PENDING"
    PAID = "PAID"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"


ORDER_MOVES: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.EXPIRED, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}),
    OrderStatus.PARTIALLY_REFUNDED: frozenset(
        {OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}
    ),
    OrderStatus.REFUNDED: frozenset(),
    OrderStatus.EXPIRED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


class LineKind(StrEnum):
    TICKET = "TICKET"
    PRODUCT = "PRODUCT"


@dataclass(frozen=True, slots=True)
class OrderLine:
    """A priced line, frozen at order time: later price changes never touch placed orders."""

    kind: LineKind
    item_id: UUID
    entity_id: UUID
    title: str
    unit_price: Money
    quantity: int
    event_id: UUID | None = None

    def __post_init__(self) -> None:
        if type(self.quantity) is not int or not 1 <= self.quantity <= MAX_QUANTITY:
            raise InvalidInput(f"quantity must be between 1 and {MAX_QUANTITY}", field="quantity")

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity


@dataclass(eq=False)
class Order(RecordsEvents):
    id: UUID
    buyer_id: UUID
    entity_id: UUID
    lines: list[OrderLine]
    total: Money
    status: OrderStatus
    created_at: datetime
    expires_at: datetime
    refunded: Money
    idempotency_key: str | None = None
    request_fingerprint: str | None = None
    payment_ref: str | None = None
    paid_at: datetime | None = None
    closed_at: datetime | None = None
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def place(
        cls,
        *,
        buyer_id: UUID,
        lines: list[OrderLine],
        now: datetime,
        reservation_ttl: timedelta = DEFAULT_RESERVATION_TTL,
        idempotency_key: str | None = None,
        request_fingerprint: str | None = None,
    ) -> Order:
        if not 1 <= len(lines) <= MAX_LINES:
            raise InvalidInput(f"an order has 1 to {MAX_LINES} lines", field="items")
        entities = {line.entity_id for line in lines}
        currencies = {line.unit_price.currency for line in lines}
        if len(entities) > 1:
            raise MixedOrder("all items of an order must come from one entity", field="items")
        if len(currencies) > 1:
            raise MixedOrder("all items of an order must be in one currency", field="items")
        if len({(line.kind, line.item_id) for line in lines}) != len(lines):
            raise InvalidInput("list each item once, with its quantity", field="items")
        currency = currencies.pop()
        total = Money.zero(currency)
        for line in lines:
            total = total + line.total
        order = cls(
            id=new_id(),
            buyer_id=buyer_id,
            entity_id=entities.pop(),
            lines=list(lines),
            total=total,
            status=OrderStatus.PENDING,
            created_at=now,
            expires_at=now + reservation_ttl,
            refunded=Money.zero(currency),
            idempotency_key=idempotency_key,
            request_fingerprint=request_fingerprint,
        )
        order.record(
            OrderPlaced(
                occurred_at=now,
                order_id=order.id,
                buyer_id=buyer_id,
                entity_id=order.entity_id,
                total_amount=total.amount,
                currency=currency,
            )
        )
        return order

    @property
    def paid(self) -> Money:
        """What the buyer paid and has not had back."""
        if self.status in (OrderStatus.PENDING, OrderStatus.EXPIRED, OrderStatus.CANCELLED):
            return Money.zero(self.total.currency)
        return self.total - self.refunded

    @property
    def holds_reservation(self) -> bool:
        """Whether this order still keeps seats and stock out of sale."""
        return self.status is OrderStatus.PENDING

    def is_overdue(self, now: datetime) -> bool:
        return self.status is OrderStatus.PENDING and now >= self.expires_at

    def _move(self, to: OrderStatus) -> None:
        if to not in ORDER_MOVES[self.status]:
            raise OrderTransitionNotAllowed(
                f"an order that is {self.status.value} cannot become {to.value}",
                current_status=self.status.value,
            )
        self.status = to

    def mark_paid(self, *, payment_ref: str | None, now: datetime) -> None:
        self._move(OrderStatus.PAID)
        self.payment_ref = payment_ref or self.payment_ref
        self.paid_at = now
        self.record(
            OrderPaid(
                occurred_at=now,
                order_id=self.id,
                buyer_id=self.buyer_id,
                entity_id=self.entity_id,
                total_amount=self.total.amount,
                currency=self.total.currency,
            )
        )

    def expire(self, now: datetime) -> None:
        self._move(OrderStatus.EXPIRED)
        self.closed_at = now
        self.record(OrderExpired(occurred_at=now, order_id=self.id, buyer_id=self.buyer_id))

    def cancel(self, now: datetime) -> None:
        self._move(OrderStatus.CANCELLED)
        self.closed_at = now
        self.record(OrderCancelled(occurred_at=now, order_id=self.id, buyer_id=self.buyer_id))

    def refund(self, amount: Money | None, *, reason: str | None, now: datetime) -> Money:
        """Refund `amount` (default: all that is left). Returns the amount refunded."""
        remaining = self.paid
        amount = remaining if amount is None else amount
        if amount.currency != self.total.currency:
            raise InvalidInput(f"refunds are in {self.total.currency}", field="amount")
        if amount.amount <= 0:
            raise InvalidInput("a refund must be more than zero", field="amount")
        if amount.amount > remaining.amount:
            raise RefundExceedsPayment(
                f"at most {remaining.format()} can be refunded", field="amount"
            )
        full = amount.amount == remaining.amount
        self._move(OrderStatus.REFUNDED if full else OrderStatus.PARTIALLY_REFUNDED)
        self.refunded = self.refunded + amount
        if full:
            self.closed_at = now
        self.record(
            OrderRefunded(
                occurred_at=now,
                order_id=self.id,
                buyer_id=self.buyer_id,
                entity_id=self.entity_id,
                amount=amount.amount,
                refunded_total=self.refunded.amount,
                currency=amount.currency,
                reason=optional_text(reason, field="reason", max_length=REASON_MAX),
            )
        )
        return amount


def new_ticket_code() -> str:
    """128 random bits, URL-safe: printable in a QR code, impossible to guess."""
    return secrets.token_urlsafe(16)


@dataclass(eq=False)
class Ticket(RecordsEvents):
    id: UUID
    order_id: UUID
    ticket_type_id: UUID
    event_id: UUID
    holder_id: UUID
    code: str
    issued_at: datetime
    checked_in_at: datetime | None = None
    voided_at: datetime | None = None
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def issue_for(cls, order: Order, now: datetime) -> list[Ticket]:
        """One ticket per seat of every ticket line of a paid order."""
        if order.status is not OrderStatus.PAID:
            raise OrderTransitionNotAllowed("tickets are issued for paid orders only")
        return [
            cls(
                id=new_id(),
                order_id=order.id,
                ticket_type_id=line.item_id,
                event_id=line.event_id,
                holder_id=order.buyer_id,
                code=new_ticket_code(),
                issued_at=now,
            )
            for line in order.lines
            if line.kind is LineKind.TICKET and line.event_id is not None
            for _ in range(line.quantity)
        ]

    @property
    def is_valid(self) -> bool:
        return self.voided_at is None

    def check_in(self, now: datetime) -> None:
        if self.voided_at is not None:
            raise TicketNotValid("this ticket was refunded or its event cancelled")
        if self.checked_in_at is not None:
            raise TicketAlreadyUsed(
                f"this ticket was already used at {self.checked_in_at.isoformat()}",
                used_at=self.checked_in_at.isoformat(),
            )
        self.checked_in_at = now
        self.record(
            TicketCheckedIn(
                occurred_at=now, ticket_id=self.id, event_id=self.event_id, holder_id=self.holder_id
            )
        )

    def void(self, now: datetime) -> None:
        if self.voided_at is None:
            self.voided_at = now
