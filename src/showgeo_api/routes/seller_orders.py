"""The seller's back-office reads: an entity's and an event's orders (with totals), one order
in full, an event's attendees (with counts per ticket type), and their CSV / JSON Lines
exports streamed page by page.

Orders need VIEW_REVENUE (owners, entity admins, platform admins); attendees need
VIEW_ATTENDEES (the whole team, door staff included). Buyers appear by name and email only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import Stream

from showgeo_api.routes.orders import OrderLineOut
from showgeo_api.routes.schemas import MoneyOut
from showgeo_api.routes.seller_exports import (
    ATTENDEE_COLUMNS,
    ORDER_COLUMNS,
    ExportFormat,
    attendee_row,
    encode,
    order_row,
)
from showgeo_domain.identity.model import Actor
from showgeo_domain.orders.model import Ticket
from showgeo_domain.orders.seller_queries import (
    CODE_SUFFIX_LENGTH,
    SEARCH_MAX,
    Attendee,
    AttendeeFilters,
    Buyer,
    CurrencyPaid,
    OrderFilters,
    SellerOrder,
    SellerOrderDetail,
    TicketTypeCount,
)
from showgeo_domain.orders.seller_views import SellerViews
from showgeo_domain.shared.pagination import PageRequest

Status = Annotated[str | None, QueryParameter(max_length=32, description="an order status")]
Moment = Annotated[datetime | None, QueryParameter(description="RFC 3339 with a time zone")]
Search = Annotated[
    str | None,
    QueryParameter(max_length=SEARCH_MAX, description="part of the buyer's name or email"),
]
AttendeeSearch = Annotated[
    str | None,
    QueryParameter(
        max_length=SEARCH_MAX,
        description="part of the holder's name or email, or the end of the ticket code",
    ),
]
Format = Annotated[ExportFormat, QueryParameter(name="format", description="csv or jsonl")]
ItemId = Annotated[UUID | None, QueryParameter()]
CheckedIn = Annotated[bool | None, QueryParameter(description="true: inside; false: not yet")]


class BuyerOut(msgspec.Struct):
    name: str
    email: str

    @classmethod
    def of(cls, buyer: Buyer) -> BuyerOut:
        return cls(buyer.name, buyer.email)


class SellerOrderOut(msgspec.Struct):
    id: UUID
    status: str
    buyer: BuyerOut
    lines: list[OrderLineOut]
    total: MoneyOut
    refunded: MoneyOut
    paid: MoneyOut
    """Paid and not refunded."""
    created_at: datetime
    paid_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def of(cls, row: SellerOrder) -> SellerOrderOut:
        order = row.order
        return cls(
            id=order.id,
            status=order.status.value,
            buyer=BuyerOut.of(row.buyer),
            lines=[OrderLineOut.of(line) for line in order.lines],
            total=MoneyOut.of(order.total),
            refunded=MoneyOut.of(order.refunded),
            paid=MoneyOut.of(order.paid),
            created_at=order.created_at,
            paid_at=order.paid_at,
            closed_at=order.closed_at,
        )


class OrdersMeta(msgspec.Struct):
    count: int
    """Orders matching the filters, on every page."""
    paid: list[CurrencyPaid]
    """Their paid-and-not-refunded sum per currency, in minor units."""


class SellerOrdersPageOut(msgspec.Struct):
    items: list[SellerOrderOut]
    next_cursor: str | None
    meta: OrdersMeta


class SellerTicketOut(msgspec.Struct):
    id: UUID
    code_suffix: str
    event_id: UUID
    ticket_type_id: UUID
    issued_at: datetime
    checked_in_at: datetime | None
    voided_at: datetime | None

    @classmethod
    def of(cls, ticket: Ticket) -> SellerTicketOut:
        return cls(
            id=ticket.id,
            code_suffix=ticket.code[-CODE_SUFFIX_LENGTH:],
            event_id=ticket.event_id,
            ticket_type_id=ticket.ticket_type_id,
            issued_at=ticket.issued_at,
            checked_in_at=ticket.checked_in_at,
            voided_at=ticket.voided_at,
        )


class SellerOrderDetailOut(msgspec.Struct):
    order: SellerOrderOut
    payment_ref: str | None
    """The payment provider's reference of the payment (what its dashboard shows)."""
    expires_at: datetime
    tickets: list[SellerTicketOut]

    @classmethod
    def of(cls, detail: SellerOrderDetail) -> SellerOrderDetailOut:
        return cls(
            order=SellerOrderOut.of(SellerOrder(detail.order, detail.buyer)),
            payment_ref=detail.order.payment_ref,
            expires_at=detail.order.expires_at,
            tickets=[SellerTicketOut.of(t) for t in detail.tickets],
        )


class AttendeeOut(msgspec.Struct):
    ticket_id: UUID
    code_suffix: str
    """The last characters of the ticket's code: the code itself is the ticket."""
    holder: BuyerOut
    ticket_type_id: UUID
    ticket_type: str
    order_id: UUID
    status: str
    issued_at: datetime
    checked_in_at: datetime | None

    @classmethod
    def of(cls, row: Attendee) -> AttendeeOut:
        return cls(
            ticket_id=row.ticket.id,
            code_suffix=row.code_suffix,
            holder=BuyerOut.of(row.holder),
            ticket_type_id=row.ticket.ticket_type_id,
            ticket_type=row.ticket_type_name,
            order_id=row.ticket.order_id,
            status=row.status.value,
            issued_at=row.ticket.issued_at,
            checked_in_at=row.ticket.checked_in_at,
        )


class AttendeesMeta(msgspec.Struct):
    ticket_types: list[TicketTypeCount]


class AttendeesPageOut(msgspec.Struct):
    items: list[AttendeeOut]
    next_cursor: str | None
    meta: AttendeesMeta


async def provide_order_filters(
    status: Status = None,
    ticket_type_id: ItemId = None,
    product_id: ItemId = None,
    paid_from: Moment = None,
    paid_to: Moment = None,
    q: Search = None,
) -> OrderFilters:
    """The order filters of the query string, parsed once for the four order routes (lists
    and exports of an entity's and an event's orders); a bad value is a 400 naming it."""
    return OrderFilters.parse(
        status=status,
        ticket_type_id=ticket_type_id,
        product_id=product_id,
        paid_from=paid_from,
        paid_to=paid_to,
        search=q,
    )


ORDER_FILTERS = {"order_filters": Provide(provide_order_filters)}


def _stream(body: object, export_format: ExportFormat, name: str) -> Stream:
    return Stream(
        body,  # type: ignore[arg-type]
        media_type=export_format.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{export_format.value}"',
            "Cache-Control": "no-store",
        },
    )


class EntityOrdersController(Controller):
    path = "/entities/{ref:str}/orders"
    tags = ["seller back-office"]
    security = [{"BearerToken": []}]
    dependencies = ORDER_FILTERS

    @get("/")
    async def list_orders(
        self,
        ref: FromPath[str],
        actor: NamedDependency[Actor],
        seller_views: NamedDependency[SellerViews],
        page: NamedDependency[PageRequest],
        order_filters: NamedDependency[OrderFilters],
    ) -> SellerOrdersPageOut:
        """The entity's orders, newest first; `meta` totals every order the filters match."""
        found, totals = await seller_views.entity_orders(actor, ref, order_filters, page)
        return SellerOrdersPageOut(
            [SellerOrderOut.of(r) for r in found.items],
            found.next_cursor,
            OrdersMeta(totals.count, totals.paid),
        )

    @get("/export")
    async def export_orders(
        self,
        ref: FromPath[str],
        actor: NamedDependency[Actor],
        seller_views: NamedDependency[SellerViews],
        order_filters: NamedDependency[OrderFilters],
        export_format: Format = ExportFormat.CSV,
    ) -> Stream:
        """Every matching order as CSV (default) or JSON Lines, streamed."""
        scope = await seller_views.entity_scope(actor, ref, order_filters)
        body = encode(seller_views.order_batches(scope), ORDER_COLUMNS, order_row, export_format)
        return _stream(body, export_format, "orders")

    @get("/{order_id:uuid}")
    async def read_order(
        self,
        ref: FromPath[str],
        order_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        seller_views: NamedDependency[SellerViews],
    ) -> SellerOrderDetailOut:
        """One of the entity's orders with its tickets; another entity's order is 404."""
        return SellerOrderDetailOut.of(await seller_views.order(actor, ref, order_id))


class EventOrdersController(Controller):
    path = "/events/{event_id:uuid}"
    tags = ["seller back-office"]
    security = [{"BearerToken": []}]
    dependencies = ORDER_FILTERS

    @get("/orders")
    async def list_orders(
        self,
        event_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        seller_views: NamedDependency[SellerViews],
        page: NamedDependency[PageRequest],
        order_filters: NamedDependency[OrderFilters],
    ) -> SellerOrdersPageOut:
        """Orders holding a ticket of this event (their other lines included)."""
        found, totals = await seller_views.event_orders(actor, event_id, order_filters, page)
        return SellerOrdersPageOut(
            [SellerOrderOut.of(r) for r in found.items],
            found.next_cursor,
            OrdersMeta(totals.count, totals.paid),
        )

    @get("/orders/export")
    async def export_orders(
        self,
        event_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        seller_views: NamedDependency[SellerViews],
        order_filters: NamedDependency[OrderFilters],
        export_format: Format = ExportFormat.CSV,
    ) -> Stream:
        scope = await seller_views.event_scope(actor, event_id, order_filters)
        body = encode(seller_views.order_batches(scope), ORDER_COLUMNS, order_row, export_format)
        return _stream(body, export_format, "orders")

    @get("/attendees")
    async def attendees(
        self,
        event_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        seller_views: NamedDependency[SellerViews],
        page: NamedDependency[PageRequest],
        checked_in: CheckedIn = None,
        q: AttendeeSearch = None,
    ) -> AttendeesPageOut:
        """One row per ticket, newest first; `meta` counts every ticket type of the event."""
        filters = AttendeeFilters.parse(checked_in=checked_in, search=q)
        found = await seller_views.attendees(actor, event_id, filters, page)
        return AttendeesPageOut(
            [AttendeeOut.of(a) for a in found.page.items],
            found.page.next_cursor,
            AttendeesMeta(found.counts),
        )

    @get("/attendees/export")
    async def export_attendees(
        self,
        event_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        seller_views: NamedDependency[SellerViews],
        export_format: Format = ExportFormat.CSV,
        checked_in: CheckedIn = None,
        q: AttendeeSearch = None,
    ) -> Stream:
        filters = AttendeeFilters.parse(checked_in=checked_in, search=q)
        await seller_views.attendee_access(actor, event_id)
        batches = seller_views.attendee_batches(event_id, filters)
        body = encode(batches, ATTENDEE_COLUMNS, attendee_row, export_format)
        return _stream(body, export_format, "attendees")


CONTROLLERS = [EntityOrdersController, EventOrdersController]
