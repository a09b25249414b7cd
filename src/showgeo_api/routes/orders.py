"""Orders and tickets: place an order (with an optional Idempotency-Key) and get its checkout,
read and cancel my orders, refund them, list my tickets, check tickets in at the door, and an
entity's revenue."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody
from msgspec import Meta

from showgeo_api.routes.schemas import MoneyIn, MoneyOut, PageOut
from showgeo_domain.identity.model import Actor
from showgeo_domain.orders.model import (
    MAX_LINES,
    MAX_QUANTITY,
    REASON_MAX,
    Order,
    OrderLine,
    Ticket,
)
from showgeo_domain.orders.payments import Payments, RefundResult
from showgeo_domain.orders.revenue import CurrencyRevenue, EventRevenue, ProductRevenue
from showgeo_domain.orders.services import IDEMPOTENCY_KEY_MAX, ItemRequest, Orders
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.pagination import PageRequest

TicketCode = Annotated[str, Meta(min_length=1, max_length=64)]


class ItemIn(msgspec.Struct, forbid_unknown_fields=True):
    """Exactly one of `ticket_type_id` and `product_id`."""

    quantity: Annotated[int, Meta(ge=1, le=MAX_QUANTITY)]
    ticket_type_id: UUID | None = None
    product_id: UUID | None = None

    def to_request(self) -> ItemRequest:
        if (self.ticket_type_id is None) == (self.product_id is None):
            raise InvalidInput("give either ticket_type_id or product_id", field="items")
        return ItemRequest(
            ticket_type_id=self.ticket_type_id, product_id=self.product_id, quantity=self.quantity
        )


class OrderIn(msgspec.Struct, forbid_unknown_fields=True):
    items: Annotated[list[ItemIn], Meta(min_length=1, max_length=MAX_LINES)]


class OrderLineOut(msgspec.Struct):
    kind: str
    item_id: UUID
    event_id: UUID | None
    title: str
    unit_price: MoneyOut
    quantity: int
    total: MoneyOut

    @classmethod
    def of(cls, line: OrderLine) -> OrderLineOut:
        return cls(
            kind=line.kind.value,
            item_id=line.item_id,
            event_id=line.event_id,
            title=line.title,
            unit_price=MoneyOut.of(line.unit_price),
            quantity=line.quantity,
            total=MoneyOut.of(line.total),
        )


class OrderOut(msgspec.Struct):
    id: UUID
    buyer_id: UUID
    entity_id: UUID
    status: str
    lines: list[OrderLineOut]
    total: MoneyOut
    refunded: MoneyOut
    created_at: datetime
    expires_at: datetime
    paid_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        return cls(
            id=order.id,
            buyer_id=order.buyer_id,
            entity_id=order.entity_id,
            status=order.status.value,
            lines=[OrderLineOut.of(line) for line in order.lines],
            total=MoneyOut.of(order.total),
            refunded=MoneyOut.of(order.refunded),
            created_at=order.created_at,
            expires_at=order.expires_at,
            paid_at=order.paid_at,
            closed_at=order.closed_at,
        )


class CheckoutOut(msgspec.Struct):
    url: str
    expires_at: datetime


class PlacedOrderOut(msgspec.Struct):
    order: OrderOut
    checkout: CheckoutOut | None
    """Where to pay; null when the order is no longer PENDING (a retry after it was paid,
    cancelled or expired)."""


class TicketOut(msgspec.Struct):
    id: UUID
    code: str
    event_id: UUID
    ticket_type_id: UUID
    order_id: UUID
    issued_at: datetime
    checked_in_at: datetime | None
    valid: bool

    @classmethod
    def of(cls, ticket: Ticket) -> TicketOut:
        return cls(
            id=ticket.id,
            code=ticket.code,
            event_id=ticket.event_id,
            ticket_type_id=ticket.ticket_type_id,
            order_id=ticket.order_id,
            issued_at=ticket.issued_at,
            checked_in_at=ticket.checked_in_at,
            valid=ticket.is_valid,
        )


class RefundIn(msgspec.Struct, forbid_unknown_fields=True):
    """`amount` defaults to all that is left paid."""

    amount: MoneyIn | None = None
    reason: Annotated[str, Meta(max_length=REASON_MAX)] | None = None


class RefundOut(msgspec.Struct):
    amount: MoneyOut
    provider_ref: str


class RefundedOrderOut(msgspec.Struct):
    order: OrderOut
    refund: RefundOut

    @classmethod
    def of(cls, result: RefundResult) -> RefundedOrderOut:
        return cls(
            OrderOut.of(result.order),
            RefundOut(MoneyOut.of(result.amount), result.provider_ref),
        )


class RevenueOut(msgspec.Struct):
    """Amounts in minor units of each row's currency; see docs/api.md for how refunds are
    attributed to events and products."""

    currencies: list[CurrencyRevenue]
    events: list[EventRevenue]
    products: list[ProductRevenue]


class OrdersController(Controller):
    path = "/orders"
    tags = ["orders"]

    @post("/", status_code=201, security=[{"BearerToken": []}])
    async def place(
        self,
        data: JSONBody[OrderIn],
        actor: NamedDependency[Actor],
        payments: NamedDependency[Payments],
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(name="Idempotency-Key", min_length=1, max_length=IDEMPOTENCY_KEY_MAX),
        ] = None,
    ) -> PlacedOrderOut:
        """Reserves every line (all or nothing) for the reservation time and opens a
        checkout. The same Idempotency-Key with the same items answers the same order;
        with other items it is 422 `idempotency_key_reused`."""
        items = [item.to_request() for item in data.items]
        order, opened = await payments.place(actor, items, idempotency_key=idempotency_key)
        checkout = None if opened is None else CheckoutOut(opened.url, opened.expires_at)
        return PlacedOrderOut(OrderOut.of(order), checkout)

    @get("/{order_id:uuid}", security=[{"BearerToken": []}])
    async def read(
        self,
        order_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        orders: NamedDependency[Orders],
    ) -> OrderOut:
        return OrderOut.of(await orders.get(actor, order_id))

    @post("/{order_id:uuid}/cancel", status_code=200, security=[{"BearerToken": []}])
    async def cancel(
        self,
        order_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        orders: NamedDependency[Orders],
    ) -> OrderOut:
        """The buyer gives up a PENDING order; its seats and stock go back on sale."""
        return OrderOut.of(await orders.cancel(actor, order_id))

    @post("/{order_id:uuid}/refunds", status_code=201, security=[{"BearerToken": []}])
    async def refund(
        self,
        order_id: FromPath[UUID],
        data: JSONBody[RefundIn],
        actor: NamedDependency[Actor],
        payments: NamedDependency[Payments],
    ) -> RefundedOrderOut:
        """Owners, entity admins and platform admins give back part or all of what was paid;
        more than is left is 400 `refund_exceeds_payment`. A full refund voids the tickets."""
        amount = data.amount.to_money() if data.amount is not None else None
        return RefundedOrderOut.of(await payments.refund(actor, order_id, amount, data.reason))


class RevenueController(Controller):
    path = "/entities"
    tags = ["orders"]

    @get("/{ref:str}/revenue", security=[{"BearerToken": []}])
    async def revenue(
        self, ref: FromPath[str], actor: NamedDependency[Actor], orders: NamedDependency[Orders]
    ) -> RevenueOut:
        """VIEW_REVENUE (owners, entity admins, platform admins); others 403."""
        found = await orders.revenue(actor, ref)
        return RevenueOut(found.currencies, found.events, found.products)


class MyOrdersController(Controller):
    path = "/users/me"
    tags = ["orders"]

    @get("/orders", security=[{"BearerToken": []}])
    async def orders(
        self,
        actor: NamedDependency[Actor],
        orders: NamedDependency[Orders],
        page: NamedDependency[PageRequest],
    ) -> PageOut[OrderOut]:
        found = await orders.of_buyer(actor, page)
        return PageOut([OrderOut.of(o) for o in found.items], found.next_cursor)

    @get("/tickets", security=[{"BearerToken": []}])
    async def tickets(
        self,
        actor: NamedDependency[Actor],
        orders: NamedDependency[Orders],
        page: NamedDependency[PageRequest],
    ) -> PageOut[TicketOut]:
        found = await orders.tickets_of(actor, page)
        return PageOut([TicketOut.of(t) for t in found.items], found.next_cursor)


class TicketsController(Controller):
    path = "/tickets"
    tags = ["orders"]

    @post("/{code:str}/check-in", status_code=200, security=[{"BearerToken": []}])
    async def check_in(
        self, code: TicketCode, actor: NamedDependency[Actor], orders: NamedDependency[Orders]
    ) -> TicketOut:
        """Staff with CHECK_IN_TICKETS; a second scan is 409 `ticket_already_used` with
        `used_at`."""
        return TicketOut.of(await orders.check_in(actor, code))
