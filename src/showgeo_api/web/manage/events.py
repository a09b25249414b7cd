"""An entity's events: create and edit them (times read in a chosen time zone), and add
their ticket types."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from msgspec import Meta

from showgeo_api.routes.events import EventIn, EventPatch, TicketTypeIn, utc
from showgeo_api.web.context import Ui
from showgeo_api.web.forms import FormErrors, decode_nested, form_values, nest
from showgeo_api.web.inputs import DEFAULT_ZONE, instants, minor_units, zone
from showgeo_api.web.manage.common import EntityRef, Refused, require_team, required
from showgeo_domain.entities.services import Entities
from showgeo_domain.events.model import Event
from showgeo_domain.events.services import EventDetails, Events, TicketTypeDetails
from showgeo_domain.shared.errors import InvalidInput

ZoneName = Annotated[str, Meta(max_length=64)]
VENUE_FIELDS = ("venue.name", "venue.lat", "venue.lon", "venue.country")


class ManageEventPages(Controller):
    path = "/app/manage"

    @get("/entities/{ref:str}/events/new")
    async def new_event_form(
        self, ref: EntityRef, ui: NamedDependency[Ui], entities: NamedDependency[Entities]
    ) -> Template:
        entity = await require_team(ui, entities, ref)
        values = {"time_zone": DEFAULT_ZONE}
        return await ui.render(
            "manage_event_new.html", entity=entity, values=values, errors=FormErrors()
        )

    @post("/entities/{ref:str}/events/new")
    async def new_event(
        self,
        request: Request[Any, Any, Any],
        ref: EntityRef,
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
        events: NamedDependency[Events],
    ) -> Template | Redirect:
        """As `POST /entities/{ref}/events`; times are read in the form's time zone."""
        actor = ui.require()
        entity = await entities.get(ref)
        values = await form_values(request)
        try:
            typed = instants(values, ("starts_at", "ends_at"))
            if "venue.country" in typed:
                typed["venue.country"] = typed["venue.country"].upper()
            data = decode_nested(typed, EventIn)
            details = EventDetails(
                title=data.title,
                description=data.description,
                starts_at=data.starts_at.astimezone(UTC),
                ends_at=utc(data.ends_at),
                venue=data.venue.to_venue() if data.venue else None,
            )
            event = await events.create(actor, entity.id, details)
        except Refused as exc:
            return await ui.render(
                "manage_event_new.html", entity=entity, values=values, errors=FormErrors.of(exc)
            )
        return Redirect(path=f"/app/manage/events/{event.id}", status_code=303)

    @get("/events/{event_id:uuid}")
    async def event(
        self,
        event_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
        events: NamedDependency[Events],
    ) -> Template:
        return await _event_page(
            ui, events, entities, event_id, {"price.currency": "EUR"}, FormErrors()
        )

    @post("/events/{event_id:uuid}/ticket-types")
    async def add_ticket_type(
        self,
        request: Request[Any, Any, Any],
        event_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
        events: NamedDependency[Events],
    ) -> Template | Redirect:
        """As `POST /events/{id}/ticket-types`, the price typed in major units."""
        actor = ui.require()
        values = await form_values(request)
        try:
            typed = minor_units(instants(values, ("sales_start", "sales_end")))
            data = decode_nested(typed, TicketTypeIn)
            details = TicketTypeDetails(
                name=data.name,
                price=data.price.to_money(),
                quota=data.quota,
                sales_start=utc(data.sales_start),
                sales_end=utc(data.sales_end),
            )
            await events.add_ticket_type(actor, event_id, details)
        except Refused as exc:
            return await _event_page(ui, events, entities, event_id, values, FormErrors.of(exc))
        return Redirect(path=f"/app/manage/events/{event_id}", status_code=303)

    @get("/events/{event_id:uuid}/edit")
    async def edit_event_form(
        self,
        event_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
        events: NamedDependency[Events],
        time_zone: FromQuery[ZoneName] = DEFAULT_ZONE,
    ) -> Template:
        """The event's fields, its times shown in `time_zone` (UTC unless the page's small
        form names another: the API keeps no zone per event)."""
        event = await events.get(event_id)
        errors = FormErrors()
        try:
            zone(time_zone)
        except InvalidInput as exc:
            errors = FormErrors(f"{exc.detail}; the times are shown in UTC")
            time_zone = DEFAULT_ZONE
        return await _event_form(ui, entities, event, _event_values(event, time_zone), errors)

    @post("/events/{event_id:uuid}/edit")
    async def edit_event(
        self,
        request: Request[Any, Any, Any],
        event_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        entities: NamedDependency[Entities],
        events: NamedDependency[Events],
    ) -> Template | Redirect:
        """As `PATCH /events/{id}` with every field of the form, times read in its time zone:
        an empty description, end or venue clears it."""
        actor = ui.require()
        values = await form_values(request)
        try:
            data = msgspec.convert(_event_patch(values), EventPatch, strict=False)
            await events.update(actor, event_id, data.to_changes())
        except Refused as exc:
            event = await events.get(event_id)
            return await _event_form(ui, entities, event, values, FormErrors.of(exc))
        return Redirect(path=f"/app/manage/events/{event_id}", status_code=303)


async def _event_form(
    ui: Ui, entities: Entities, event: Event, values: dict[str, str], errors: FormErrors
) -> Template:
    """The form is the team's (the use case decides whether it may be saved: collaborators
    may, and no one once the event is over or cancelled)."""
    entity = await require_team(ui, entities, str(event.entity_id))
    return await ui.render(
        "manage_event_edit.html", entity=entity, event=event, values=values, errors=errors
    )


def _event_values(event: Event, time_zone: str) -> dict[str, str]:
    tz = zone(time_zone)

    def local(moment: datetime | None) -> str:
        if moment is None:
            return ""
        shown = moment.astimezone(tz).replace(tzinfo=None)
        whole_minute = shown.second == 0 and shown.microsecond == 0
        return shown.isoformat(timespec="minutes" if whole_minute else "seconds")

    venue = event.venue
    return {
        "title": event.title,
        "description": event.description or "",
        "starts_at": local(event.starts_at),
        "ends_at": local(event.ends_at),
        "time_zone": time_zone,
        "venue.name": venue.name if venue else "",
        "venue.lat": str(venue.lat) if venue else "",
        "venue.lon": str(venue.lon) if venue else "",
        "venue.country": venue.country if venue else "",
    }


def _event_patch(values: dict[str, str]) -> dict[str, Any]:
    """The whole form as an `EventPatch` body, times read in its time zone: empty
    description, end and venue (all four fields) are `null`, which clears them."""
    required(values, ("starts_at",))
    venue = {k: values.get(k, "").strip() for k in VENUE_FIELDS}
    if any(venue.values()):
        required(venue, VENUE_FIELDS, "is required for a venue (or leave all four empty)")
        venue["venue.country"] = venue["venue.country"].upper()
    typed = instants(values, ("starts_at", "ends_at"))
    return {
        "title": typed.get("title", "").strip(),
        "description": typed.get("description", "").strip() or None,
        "starts_at": typed["starts_at"],
        "ends_at": typed.get("ends_at", "").strip() or None,
        "venue": nest(venue).get("venue"),
    }


async def _event_page(
    ui: Ui,
    events: Events,
    entities: Entities,
    event_id: UUID,
    values: dict[str, str],
    errors: FormErrors,
) -> Template:
    listed = await events.ticket_types(event_id, ui.require())
    event = listed.event
    entity = await require_team(ui, entities, str(event.entity_id))
    return await ui.render(
        "manage_event.html",
        entity=entity,
        event=event,
        ticket_types=listed.items,
        values={"time_zone": DEFAULT_ZONE, **values},
        errors=errors,
    )
