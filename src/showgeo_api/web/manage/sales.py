"""The seller's back-office in the browser: an entity's orders (filters, keyset pages, totals,
CSV), one order with its tickets and the refund form, an event's attendees (search, counts per
ticket type, a check-in button per ticket, CSV).

Every page calls the use case of the JSON route beside it (`GET /entities/{ref}/orders`,
`GET /entities/{ref}/orders/{id}`, `POST /orders/{id}/refunds`, `GET /events/{id}/attendees`,
`POST /tickets/{code}/check-in`, and both exports), so the permissions are the same: orders
need VIEW_REVENUE, attendees VIEW_ATTENDEES. The JSON exports read only Bearer tokens; the
downloads here stream the same rows through the same encoder with the page's cookie session.
Filters are typed as in a form (dates, not RFC 3339 instants): a bad one is shown beside its
field with no rows, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template

from showgeo_api.routes.orders import RefundIn
from showgeo_api.routes.seller_exports import (
    ATTENDEE_COLUMNS,
    ORDER_COLUMNS,
    ExportFormat,
    attendee_row,
    encode,
    order_row,
)
from showgeo_api.web.context import Ui
from showgeo_api.web.forms import FormErrors, decode_nested, form_values
from showgeo_api.web.inputs import minor_units
from showgeo_api.web.manage.common import Refused
from showgeo_domain.entities.services import Entities
from showgeo_domain.events.services import Events
from showgeo_domain.orders.errors import TicketNotFound
from showgeo_domain.orders.payments import Payments
from showgeo_domain.orders.seller_queries import (
    CODE_SUFFIX_LENGTH,
    AttendeeFilters,
    OrderFilters,
)
from showgeo_domain.orders.seller_views import SellerViews
from showgeo_domain.orders.services import Orders
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageRequest

ORDER_FILTERS = ("status", "paid_from", "paid_to", "q", "limit")
ATTENDEE_FILTERS = ("q", "checked_in", "limit")
"""What a page's links carry on (`limit`, the rows per page, as in the API, has no field)."""
CHECKED_IN = {"": None, "yes": True, "no": False}


@dataclass
class Query:
    """The filter form as typed (to fill it again and to carry into the next page and the
    download links) and the refusal of any of its fields."""

    values: dict[str, str]
    errors: FormErrors

    def link(self, **extra: str) -> str:
        kept = {k: v for k, v in {**self.values, **extra}.items() if v}
        return "&".join(f"{k}={quote(v, safe='')}" for k, v in kept.items())


def _query(request: Request[Any, Any, Any], names: tuple[str, ...]) -> Query:
    params = request.query_params
    return Query({n: str(params.get(n) or "").strip() for n in names}, FormErrors())


def _cursor(request: Request[Any, Any, Any]) -> str | None:
    """Where the page starts: the `next_cursor` of the page before (never a filter)."""
    return str(request.query_params.get("cursor") or "") or None


def _day(raw: str, name: str, *, end: bool = False) -> datetime | None:
    """A date field as the instant it starts (or, for the end of a range, the next day's
    start: `paid_to` excludes its bound), in UTC."""
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput("must be a date such as 2030-06-01", field=name) from exc
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start + timedelta(days=1) if end else start


def order_filters(values: dict[str, str]) -> OrderFilters:
    return OrderFilters.parse(
        status=values.get("status") or None,
        paid_from=_day(values.get("paid_from", ""), "paid_from"),
        paid_to=_day(values.get("paid_to", ""), "paid_to", end=True),
        search=values.get("q") or None,
    )


def attendee_filters(values: dict[str, str]) -> AttendeeFilters:
    raw = values.get("checked_in", "")
    if raw not in CHECKED_IN:
        raise InvalidInput("is yes, no or empty", field="checked_in")
    return AttendeeFilters.parse(checked_in=CHECKED_IN[raw], search=values.get("q") or None)


def _page(cursor: str | None, limit: str) -> PageRequest:
    try:
        rows = int(limit) if limit else DEFAULT_LIMIT
    except ValueError as exc:
        raise InvalidInput(f"limit is a number up to {MAX_LIMIT}", field="limit") from exc
    return PageRequest.parse(cursor, rows)  # a forged cursor is InvalidInput too


def _download(body: AsyncIterator[bytes], name: str) -> Stream:
    return Stream(
        body,
        media_type=ExportFormat.CSV.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.csv"',
            "Cache-Control": "no-store",
        },
    )


class ManageSalesPages(Controller):
    path = "/app/manage"

    @get("/entities/{ref:str}/orders")
    async def orders(
        self,
        request: Request[Any, Any, Any],
        ref: FromPath[str],
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
        seller_views: NamedDependency[SellerViews],
    ) -> Template:
        """The entity's orders, newest first; the totals count every order the filters
        match, on every page."""
        actor = ui.require()
        entity = await entities.get(ref)
        query = _query(request, ORDER_FILTERS)
        found, totals = None, None
        try:
            filters = order_filters(query.values)
            found, totals = await seller_views.entity_orders(
                actor, entity.id, filters, _page(_cursor(request), query.values["limit"])
            )
        except InvalidInput as exc:
            query.errors = FormErrors.of(exc)
            await seller_views.entity_scope(actor, entity.id, OrderFilters())  # still refuse
        paid = [Money(c.paid, c.currency) for c in totals.paid] if totals else []
        return await ui.render(
            "manage_orders.html", entity=entity, query=query, found=found, totals=totals, paid=paid
        )

    @get("/entities/{ref:str}/orders/export")
    async def export_orders(
        self,
        request: Request[Any, Any, Any],
        ref: FromPath[str],
        ui: NamedDependency[Ui],
        seller_views: NamedDependency[SellerViews],
    ) -> Stream:
        """As `GET /entities/{ref}/orders/export` (CSV) with the page's filters."""
        actor = ui.require()
        filters = order_filters(_query(request, ORDER_FILTERS).values)
        scope = await seller_views.entity_scope(actor, ref, filters)
        body = encode(seller_views.order_batches(scope), ORDER_COLUMNS, order_row, ExportFormat.CSV)
        return _download(body, "orders")

    @get("/entities/{ref:str}/orders/{order_id:uuid}")
    async def order(
        self,
        ref: FromPath[str],
        order_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
        seller_views: NamedDependency[SellerViews],
    ) -> Template:
        return await _order_page(ui, entities, seller_views, ref, order_id, {}, FormErrors())

    @post("/entities/{ref:str}/orders/{order_id:uuid}/refunds")
    async def refund(
        self,
        request: Request[Any, Any, Any],
        ref: FromPath[str],
        order_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
        seller_views: NamedDependency[SellerViews],
        payments: NamedDependency[Payments],
    ) -> Template | Redirect:
        """As `POST /orders/{id}/refunds`: an amount in major units (empty: all that is left
        paid) and a reason; the use case decides who may and how much."""
        actor = ui.require()
        values = await form_values(request)
        await seller_views.order(actor, ref, order_id)  # this entity's order, or 404
        try:
            data = decode_nested(minor_units(values, "amount.amount"), RefundIn)
            amount = data.amount.to_money() if data.amount is not None else None
            await payments.refund(actor, order_id, amount, data.reason)
        except Refused as exc:
            errors = FormErrors.of(exc)
            for name in ("amount", "currency"):
                if name in errors.fields:  # the domain names the money: it is the amount typed
                    errors.fields.setdefault("amount.amount", errors.fields.pop(name))
            return await _order_page(ui, entities, seller_views, ref, order_id, values, errors)
        return Redirect(path=f"/app/manage/entities/{ref}/orders/{order_id}", status_code=303)

    @get("/events/{event_id:uuid}/attendees")
    async def attendees(
        self,
        request: Request[Any, Any, Any],
        event_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        events: NamedDependency[Events],
        entities: NamedDependency[Entities],
        seller_views: NamedDependency[SellerViews],
    ) -> Template:
        query = _query(request, ATTENDEE_FILTERS)
        return await _attendees_page(
            ui, events, entities, seller_views, event_id, query, _cursor(request), FormErrors()
        )

    @get("/events/{event_id:uuid}/attendees/export")
    async def export_attendees(
        self,
        request: Request[Any, Any, Any],
        event_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        seller_views: NamedDependency[SellerViews],
    ) -> Stream:
        """As `GET /events/{id}/attendees/export` (CSV) with the page's filters."""
        actor = ui.require()
        filters = attendee_filters(_query(request, ATTENDEE_FILTERS).values)
        await seller_views.attendee_access(actor, event_id)
        batches = seller_views.attendee_batches(event_id, filters)
        body = encode(batches, ATTENDEE_COLUMNS, attendee_row, ExportFormat.CSV)
        return _download(body, "attendees")

    @post("/events/{event_id:uuid}/attendees/{ticket_id:uuid}/check-in")
    async def check_in(
        self,
        request: Request[Any, Any, Any],
        event_id: FromPath[UUID],
        ticket_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        events: NamedDependency[Events],
        entities: NamedDependency[Entities],
        seller_views: NamedDependency[SellerViews],
        orders: NamedDependency[Orders],
    ) -> Template | Redirect:
        """`Orders.check_in`, as `POST /tickets/{code}/check-in`. The page holds only the end
        of each code (the code is the ticket), so the ticket is found again among the
        attendees by that end and its id; a refusal (already in, void) shows on the page."""
        actor = ui.require()
        values = await form_values(request)
        suffix = values.get("code_suffix", "").strip()
        try:
            found = await seller_views.attendees(
                actor,
                event_id,
                AttendeeFilters.parse(search=suffix or None),
                PageRequest(limit=MAX_LIMIT),
            )
            ticket = next((a.ticket for a in found.page.items if a.ticket.id == ticket_id), None)
            if ticket is None:
                raise TicketNotFound("no such ticket for this event")
            await orders.check_in(actor, ticket.code)
        except Refused as exc:
            query = Query({n: values.get(n, "") for n in ATTENDEE_FILTERS}, FormErrors())
            errors = FormErrors.of(exc)
            return await _attendees_page(
                ui, events, entities, seller_views, event_id, query, None, errors
            )
        back = Query({n: values.get(n, "") for n in ATTENDEE_FILTERS}, FormErrors()).link()
        return Redirect(
            path=f"/app/manage/events/{event_id}/attendees" + (f"?{back}" if back else ""),
            status_code=303,
        )


async def _order_page(
    ui: Ui,
    entities: Entities,
    seller_views: SellerViews,
    ref: str,
    order_id: UUID,
    values: dict[str, str],
    errors: FormErrors,
) -> Template:
    actor = ui.require()
    entity = await entities.get(ref)
    detail = await seller_views.order(actor, entity.id, order_id)
    values = {"amount.currency": detail.order.total.currency, **values}
    return await ui.render(
        "manage_order.html",
        entity=entity,
        detail=detail,
        values=values,
        errors=errors,
        code_end=CODE_SUFFIX_LENGTH,
    )


async def _attendees_page(
    ui: Ui,
    events: Events,
    entities: Entities,
    seller_views: SellerViews,
    event_id: UUID,
    query: Query,
    cursor: str | None,
    errors: FormErrors,
) -> Template:
    actor = ui.require()
    event = await events.get(event_id)
    entity = await entities.get(event.entity_id)
    found = None
    try:
        filters = attendee_filters(query.values)
        found = await seller_views.attendees(
            actor, event_id, filters, _page(cursor, query.values["limit"])
        )
    except InvalidInput as exc:
        query.errors = FormErrors.of(exc)
        await seller_views.attendee_access(actor, event_id)  # still refuse strangers
    return await ui.render(
        "manage_attendees.html",
        event=event,
        entity=entity,
        query=query,
        found=found,
        errors=errors,
    )
