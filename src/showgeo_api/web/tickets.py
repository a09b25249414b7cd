"""My tickets with a QR code each, and the staff check-in page (type the code; the code is
what the QR code holds). Check-in is the API's `Orders.check_in`: the entity's team only,
once per ticket."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
import segno
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Template
from markupsafe import Markup
from msgspec import Meta

from showgeo_api.web.context import Ui
from showgeo_api.web.forms import FormErrors, decode, form_values
from showgeo_domain.events.model import Event
from showgeo_domain.events.services import Events
from showgeo_domain.identity.model import Actor
from showgeo_domain.orders.errors import TicketNotFound
from showgeo_domain.orders.model import Ticket
from showgeo_domain.orders.services import Orders
from showgeo_domain.shared.errors import DomainError
from showgeo_domain.shared.pagination import PageRequest

TicketCode = Annotated[str, Meta(min_length=1, max_length=64)]
PAGE = 100
CHECK_IN_PERMISSIONS = "camera=(self), microphone=(), geolocation=(self)"
"""The check-in page alone may use the camera (scan.js); every other response says camera=()."""
MOST_PAGES = 20


class CheckInForm(msgspec.Struct):
    code: TicketCode


def qr_svg(code: str) -> Markup:
    """The ticket's code as an inline SVG QR code (medium error correction survives a
    scratched phone screen); segno escapes the title."""
    svg = segno.make(code, error="m").svg_inline(scale=1, omitsize=True, title=f"Ticket {code}")
    return Markup(svg)  # noqa: S704 - segno's own SVG of our own code


async def _all_tickets(orders: Orders, actor: Actor) -> list[Ticket]:
    found: list[Ticket] = []
    page = PageRequest(limit=PAGE)
    for _ in range(MOST_PAGES):
        batch = await orders.tickets_of(actor, page)
        found.extend(batch.items)
        if batch.next_cursor is None:
            break
        page = PageRequest.parse(batch.next_cursor, PAGE)
    return found


async def _events_of(events: Events, tickets: list[Ticket]) -> dict[Any, Event]:
    return {event_id: await events.get(event_id) for event_id in {t.event_id for t in tickets}}


class TicketPages(Controller):
    path = "/app"

    @get("/tickets")
    async def mine(
        self,
        ui: NamedDependency[Ui],
        orders: NamedDependency[Orders],
        events: NamedDependency[Events],
    ) -> Template:
        tickets = await _all_tickets(orders, ui.require())
        return await ui.render(
            "tickets.html", tickets=tickets, events=await _events_of(events, tickets)
        )

    @get("/tickets/{code:str}")
    async def ticket(
        self,
        code: TicketCode,
        ui: NamedDependency[Ui],
        orders: NamedDependency[Orders],
        events: NamedDependency[Events],
    ) -> Template:
        """One ticket and its QR code, for its holder only (another's code is a 404)."""
        tickets = await _all_tickets(orders, ui.require())
        ticket = next((t for t in tickets if t.code == code), None)
        if ticket is None:
            raise TicketNotFound("no ticket with this code among yours")
        event = await events.get(ticket.event_id)
        return await ui.render("ticket.html", ticket=ticket, event=event, qr=qr_svg(ticket.code))

    @get("/check-in", response_headers={"Permissions-Policy": CHECK_IN_PERMISSIONS})
    async def check_in_form(self, ui: NamedDependency[Ui]) -> Template:
        ui.require()
        return await ui.render("checkin.html", values={}, errors=FormErrors(), checked=None)

    @post("/check-in", response_headers={"Permissions-Policy": CHECK_IN_PERMISSIONS})
    async def check_in(
        self,
        request: Request[Any, Any, Any],
        ui: NamedDependency[Ui],
        orders: NamedDependency[Orders],
        events: NamedDependency[Events],
    ) -> Template:
        actor = ui.require()
        values = await form_values(request)
        try:
            form = decode(values, CheckInForm)
            ticket = await orders.check_in(actor, form.code)
        except (DomainError, msgspec.ValidationError) as exc:
            errors = FormErrors.of(exc)
            if isinstance(exc, DomainError) and not errors.fields:
                errors.fields["code"] = exc.detail  # the code is the form's only field
            return await ui.render("checkin.html", values=values, errors=errors, checked=None)
        event = await events.get(ticket.event_id)
        return await ui.render(
            "checkin.html", values={}, errors=FormErrors(), checked=(ticket, event)
        )
