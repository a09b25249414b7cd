"""The shapes of what sellers read: filters, rows with their buyer, totals and counts.

The orders port and the seller views both speak them (`seller_views.py` has the use cases).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

import msgspec

from showgeo_domain.orders.model import Order, OrderStatus, Ticket
from showgeo_domain.shared.errors import InvalidInput

SEARCH_MAX = 100
CODE_SUFFIX_LENGTH = 6
"""How much of a ticket's code a seller sees: enough to tell tickets apart at the door, far
too little to forge one (the code is the ticket)."""


def clean_search(raw: str | None) -> str | None:
    """Trimmed and lower-cased (matching ignores case); blank means no search."""
    if raw is None or not raw.strip():
        return None
    term = raw.strip()
    if len(term) > SEARCH_MAX:
        raise InvalidInput(f"search is at most {SEARCH_MAX} characters", field="q")
    if any(ord(c) < 32 for c in term):
        raise InvalidInput("search must not contain control characters", field="q")
    return term.lower()


class OrderFilters(msgspec.Struct, frozen=True, kw_only=True):
    """`paid_from <= paid_at < paid_to`; `search` matches the buyer's name or email."""

    status: OrderStatus | None = None
    ticket_type_id: UUID | None = None
    product_id: UUID | None = None
    paid_from: datetime | None = None
    paid_to: datetime | None = None
    search: str | None = None

    @classmethod
    def parse(
        cls,
        *,
        status: str | None = None,
        ticket_type_id: UUID | None = None,
        product_id: UUID | None = None,
        paid_from: datetime | None = None,
        paid_to: datetime | None = None,
        search: str | None = None,
    ) -> OrderFilters:
        try:
            chosen = OrderStatus(status.upper()) if status else None
        except ValueError as exc:
            allowed = ", ".join(s.value for s in OrderStatus)
            raise InvalidInput(f"status is one of {allowed}", field="status") from exc
        if ticket_type_id is not None and product_id is not None:
            raise InvalidInput("filter by a ticket type or a product, not both", field="product_id")
        for moment, name in ((paid_from, "paid_from"), (paid_to, "paid_to")):
            if moment is not None and moment.tzinfo is None:
                raise InvalidInput("times must carry a time zone (RFC 3339)", field=name)
        if paid_from is not None and paid_to is not None and paid_to <= paid_from:
            raise InvalidInput("paid_to must be after paid_from", field="paid_to")
        return cls(
            status=chosen,
            ticket_type_id=ticket_type_id,
            product_id=product_id,
            paid_from=paid_from,
            paid_to=paid_to,
            search=clean_search(search),
        )


class OrderScope(msgspec.Struct, frozen=True, kw_only=True):
    """The entity's orders, or only those with a ticket line of `event_id`."""

    entity_id: UUID
    event_id: UUID | None = None
    filters: OrderFilters = OrderFilters()


class Buyer(msgspec.Struct, frozen=True):
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class SellerOrder:
    order: Order
    buyer: Buyer


class CurrencyPaid(msgspec.Struct, frozen=True):
    """Paid and not refunded, in integer minor units."""

    currency: str
    paid: int


class OrderTotals(msgspec.Struct, frozen=True):
    """Over every order the filters match, not only the page's."""

    count: int
    paid: list[CurrencyPaid]
    """By currency code."""


@dataclass(frozen=True, slots=True)
class SellerOrderDetail:
    order: Order
    buyer: Buyer
    tickets: list[Ticket]


class AttendeeFilters(msgspec.Struct, frozen=True, kw_only=True):
    """`search` matches the holder's name or email, or the end of the ticket's code."""

    checked_in: bool | None = None
    search: str | None = None

    @classmethod
    def parse(cls, *, checked_in: bool | None = None, search: str | None = None) -> AttendeeFilters:
        return cls(checked_in=checked_in, search=clean_search(search))


class AttendeeStatus(StrEnum):
    VALID = "VALID"
    CHECKED_IN = "CHECKED_IN"
    VOID = "VOID"
    """Refunded, or its event cancelled."""


@dataclass(frozen=True, slots=True)
class Attendee:
    ticket: Ticket
    holder: Buyer
    ticket_type_name: str

    @property
    def code_suffix(self) -> str:
        return self.ticket.code[-CODE_SUFFIX_LENGTH:]

    @property
    def status(self) -> AttendeeStatus:
        if self.ticket.voided_at is not None:
            return AttendeeStatus.VOID
        if self.ticket.checked_in_at is not None:
            return AttendeeStatus.CHECKED_IN
        return AttendeeStatus.VALID


class TicketTally(msgspec.Struct, frozen=True):
    """What the tickets table says of one ticket type: issued, checked in, voided."""

    ticket_type_id: UUID
    issued: int
    checked_in: int
    voided: int


class TicketTypeCount(msgspec.Struct, frozen=True, kw_only=True):
    ticket_type_id: UUID
    name: str
    quota: int
    sold: int
    checked_in: int
    refunded: int
    """Tickets voided: refunded, or their event cancelled."""
    available: int
