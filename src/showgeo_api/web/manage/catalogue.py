"""Catalogue edits from the management pages: edit, hide or delete a ticket type, delete an
event that sold nothing, unpublish and archive a product. Each posts to the use case the JSON
route calls (`PATCH`/`DELETE /events/{id}/ticket-types/{tt}`, `DELETE /events/{id}`,
`POST /products/{id}/unpublish|archive`); the edit form comes back with the refusal beside
its field, a refused button is the error page with the 409's reason."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from showgeo_api.routes.events import TicketTypePatch
from showgeo_api.web.context import Ui
from showgeo_api.web.forms import FormErrors, form_values, nest
from showgeo_api.web.inputs import DEFAULT_ZONE, instants, minor_units, zone
from showgeo_api.web.manage.common import Refused, require_team, required
from showgeo_domain.entities.services import Entities
from showgeo_domain.events.errors import TicketTypeNotFound
from showgeo_domain.events.model import Event, TicketType
from showgeo_domain.events.services import Events
from showgeo_domain.store.services import Store


class ManageCataloguePages(Controller):
    path = "/app/manage"

    @get("/events/{event_id:uuid}/ticket-types/{ticket_type_id:uuid}/edit")
    async def edit_ticket_type_form(
        self,
        event_id: FromPath[UUID],
        ticket_type_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        events: NamedDependency[Events],
        entities: NamedDependency[Entities],
    ) -> Template:
        """The type's fields, the sales window shown in UTC (the API keeps no zone)."""
        event, ticket_type = await _ticket_type(ui, events, event_id, ticket_type_id)
        values = _ticket_type_values(ticket_type)
        return await _ticket_type_form(ui, entities, event, ticket_type, values, FormErrors())

    @post("/events/{event_id:uuid}/ticket-types/{ticket_type_id:uuid}/edit")
    async def edit_ticket_type(
        self,
        request: Request[Any, Any, Any],
        event_id: FromPath[UUID],
        ticket_type_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        events: NamedDependency[Events],
        entities: NamedDependency[Entities],
    ) -> Template | Redirect:
        """As `PATCH /events/{id}/ticket-types/{tt}` with every field of the form: an empty
        description or sales time clears it; the price is sent only when it changed, so a
        sold type still saves its other fields."""
        actor = ui.require()
        values = await form_values(request)
        event, ticket_type = await _ticket_type(ui, events, event_id, ticket_type_id)
        try:
            body = _ticket_type_patch(values, ticket_type)
            data = msgspec.convert(body, TicketTypePatch, strict=False)
            await events.edit_ticket_type(actor, event_id, ticket_type_id, data.to_edit())
        except Refused as exc:
            errors = FormErrors.of(exc)
            if "price" in errors.fields:  # the domain names the whole price: it is the amount
                errors.fields.setdefault("price.amount", errors.fields.pop("price"))
            return await _ticket_type_form(ui, entities, event, ticket_type, values, errors)
        return Redirect(path=f"/app/manage/events/{event_id}", status_code=303)

    @post("/events/{event_id:uuid}/ticket-types/{ticket_type_id:uuid}/delete")
    async def delete_ticket_type(
        self,
        event_id: FromPath[UUID],
        ticket_type_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        events: NamedDependency[Events],
    ) -> Redirect:
        """As `DELETE /events/{id}/ticket-types/{tt}` (a type that sold is refused: hide it)."""
        await events.delete_ticket_type(ui.require(), event_id, ticket_type_id)
        return Redirect(path=f"/app/manage/events/{event_id}", status_code=303)

    @post("/events/{event_id:uuid}/delete")
    async def delete_event(
        self,
        event_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        events: NamedDependency[Events],
        entities: NamedDependency[Entities],
    ) -> Redirect:
        """As `DELETE /events/{id}` (one that sold is refused: cancel it from its page)."""
        event = await events.get(event_id)
        entity = await require_team(ui, entities, str(event.entity_id))
        await events.delete(ui.require(), event_id)
        return Redirect(path=f"/app/dashboard/{entity.slug}", status_code=303)

    @post("/products/{product_id:uuid}/unpublish")
    async def unpublish(
        self, product_id: FromPath[UUID], ui: NamedDependency[Ui], store: NamedDependency[Store]
    ) -> Redirect:
        """As `POST /products/{id}/unpublish`: back to a draft."""
        await store.unpublish(ui.require(), product_id)
        return Redirect(path=f"/app/products/{product_id}", status_code=303)

    @post("/products/{product_id:uuid}/archive")
    async def archive(
        self,
        product_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        store: NamedDependency[Store],
        entities: NamedDependency[Entities],
    ) -> Redirect:
        """As `POST /products/{id}/archive`: withdrawn for good, back to the dashboard."""
        product = await store.archive(ui.require(), product_id)
        entity = await entities.get(product.entity_id)
        return Redirect(path=f"/app/dashboard/{entity.slug}", status_code=303)


async def _ticket_type(
    ui: Ui, events: Events, event_id: UUID, ticket_type_id: UUID
) -> tuple[Event, TicketType]:
    """The event and its ticket type as the team sees them (hidden ones included)."""
    listed = await events.ticket_types(event_id, ui.require())
    found = next((t for t in listed.items if t.id == ticket_type_id), None)
    if found is None:
        raise TicketTypeNotFound(f"no ticket type {ticket_type_id} in event {event_id}")
    return listed.event, found


async def _ticket_type_form(
    ui: Ui,
    entities: Entities,
    event: Event,
    ticket_type: TicketType,
    values: dict[str, str],
    errors: FormErrors,
) -> Template:
    """The form is the team's (the use case decides, per role, whether it may be saved)."""
    entity = await require_team(ui, entities, str(event.entity_id))
    return await ui.render(
        "manage_ticket_type_edit.html",
        entity=entity,
        event=event,
        ticket_type=ticket_type,
        values=values,
        errors=errors,
    )


def _ticket_type_values(ticket_type: TicketType) -> dict[str, str]:
    price = ticket_type.price

    def shown(moment: datetime | None) -> str:
        if moment is None:
            return ""
        local = moment.astimezone(zone(DEFAULT_ZONE)).replace(tzinfo=None)
        return local.isoformat(timespec="minutes" if local.second == 0 else "seconds")

    values = {
        "name": ticket_type.name,
        "description": ticket_type.description or "",
        "price.amount": str(Decimal(price.amount).scaleb(-price.exponent)),
        "price.currency": price.currency,
        "quota": str(ticket_type.quota),
        "sales_start": shown(ticket_type.sales_start),
        "sales_end": shown(ticket_type.sales_end),
        "time_zone": DEFAULT_ZONE,
    }
    if ticket_type.hidden:
        values["hidden"] = "on"
    return values


def _ticket_type_patch(values: dict[str, str], ticket_type: TicketType) -> dict[str, Any]:
    """The whole form as a `TicketTypePatch` body, times read in its time zone."""
    required(values, ("name", "price.amount", "price.currency", "quota"))
    typed = minor_units(instants(values, ("sales_start", "sales_end")))
    price = nest({k: v for k, v in typed.items() if k.startswith("price.")})["price"]
    patch: dict[str, Any] = {
        "name": typed["name"].strip(),
        "description": typed.get("description", "").strip() or None,
        "quota": typed["quota"].strip(),
        "sales_start": typed.get("sales_start", "").strip() or None,
        "sales_end": typed.get("sales_end", "").strip() or None,
        "hidden": values.get("hidden") == "on",
    }
    current = ticket_type.price
    if (int(price["amount"]), price["currency"]) != (current.amount, current.currency):
        patch["price"] = price
    return patch
