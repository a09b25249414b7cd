"""Event pages: the list of upcoming events, events near me (the browser's position, asked
for only when the person clicks), and an event's page with its phase, tickets, checkout and
the player when it is live."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from showgeo_api.routes.events import parse_near
from showgeo_api.routes.streaming import client_address
from showgeo_api.web.checkout import BuyForm, buy
from showgeo_api.web.context import Ui
from showgeo_api.web.forms import FormErrors, decode, form_values
from showgeo_domain.events.geo import MAX_RADIUS_KM
from showgeo_domain.events.model import PHASE_MOVES, EventPhase
from showgeo_domain.events.ports import EventQuery
from showgeo_domain.shared.errors import DomainError
from showgeo_domain.streaming.errors import StreamAccessRefused

LISTED = 30
DEFAULT_RADIUS_KM = 100.0
BUTTON_ORDER = (EventPhase.LIVE, EventPhase.POST_LIVE, EventPhase.CANCELLED)


class WatchOut(msgspec.Struct):
    """`allowed` with what livekit-client needs, or the refusal's `reason` and `detail`.
    Always 200: a refusal is an answer the page shows, not a failed request."""

    allowed: bool
    url: str | None = None
    room: str | None = None
    token: str | None = None
    role: str | None = None
    reason: str | None = None
    detail: str | None = None


class EventPages(Controller):
    path = "/app/events"

    @get("/")
    async def upcoming(self, ui: NamedDependency[Ui]) -> Template:
        now = ui.container.clock().now()
        found = await ui.container.events().search(EventQuery(starts_from=now, limit=LISTED))
        return await ui.render("events.html", hits=found.items)

    @get("/near")
    async def near(
        self,
        ui: NamedDependency[Ui],
        near: Annotated[str | None, QueryParameter(max_length=64)] = None,
        radius_km: Annotated[float, QueryParameter(gt=0, le=MAX_RADIUS_KM)] = DEFAULT_RADIUS_KM,
    ) -> Template:
        """Without `near` the page only offers the button; near.js asks the browser for its
        position after that click and reloads with `?near=lat,lon` (the API's parser)."""
        hits = None
        if near is not None:
            query = EventQuery(near=parse_near(near), radius_km=radius_km, limit=LISTED)
            hits = (await ui.container.events().search(query)).items
        return await ui.render("near.html", hits=hits, near=near, radius_km=radius_km)

    @get("/{event_id:uuid}")
    async def event(self, event_id: FromPath[UUID], ui: NamedDependency[Ui]) -> Template:
        return await _event_page(ui, event_id, FormErrors())

    @post("/{event_id:uuid}/buy")
    async def buy_tickets(
        self, request: Request[Any, Any, Any], event_id: FromPath[UUID], ui: NamedDependency[Ui]
    ) -> Template | Redirect:
        ui.require()
        try:
            form = decode(await form_values(request), BuyForm)
            if form.ticket_type_id is None:
                raise msgspec.ValidationError("Object missing required field `ticket_type_id`")
            return await buy(ui, form)
        except (DomainError, msgspec.ValidationError) as exc:
            return await _event_page(ui, event_id, FormErrors.of(exc))

    @post("/{event_id:uuid}/phase")
    async def move(
        self, request: Request[Any, Any, Any], event_id: FromPath[UUID], ui: NamedDependency[Ui]
    ) -> Template | Redirect:
        """The team's Go live / End / Cancel buttons: `POST /events/{id}/phase`'s use case
        (cancelling refunds paid tickets); a refused move is shown on the page."""
        actor = ui.require()
        try:
            form = decode(await form_values(request), PhaseForm)
            await ui.container.event_phases().move(actor, event_id, form.to)
        except (DomainError, msgspec.ValidationError) as exc:
            return await _event_page(ui, event_id, FormErrors.of(exc))
        return Redirect(path=f"/app/events/{event_id}", status_code=303)

    @post("/{event_id:uuid}/watch", status_code=200)
    async def watch(
        self, request: Request[Any, Any, Any], event_id: FromPath[UUID], ui: NamedDependency[Ui]
    ) -> WatchOut:
        """A viewer token from the streaming service (the one `POST /events/{id}/stream/token`
        uses), or the refusal's `reason` (`not_following`, `no_ticket`, ...) and `detail`."""
        streaming = ui.container.streaming()
        try:
            granted = await streaming.join(ui.actor, event_id, client_address(request))
        except StreamAccessRefused as exc:
            reason = str(exc.extra.get("reason", "refused"))
            return WatchOut(allowed=False, reason=reason, detail=exc.detail)
        except DomainError as exc:  # no stream set up, unknown event
            return WatchOut(allowed=False, reason=exc.code, detail=exc.detail)
        return WatchOut(
            allowed=True,
            url=granted.url,
            room=granted.room,
            token=granted.token,
            role=granted.role.value,
        )


class PhaseForm(msgspec.Struct):
    to: EventPhase


async def _event_page(ui: Ui, event_id: UUID, errors: FormErrors, status: int = 200) -> Template:
    container = ui.container
    found = await container.events().ticket_types(event_id)
    event = found.event
    entity = await container.entities().get(event.entity_id)
    now = container.clock().now()
    tickets = [(t, t.sellable(event, now)) for t in found.items]
    team = ui.actor is not None and any(
        m.user.id == ui.actor.user_id for m in await container.entities().members(entity.id)
    )
    return await ui.render(
        "event.html",
        status=status,
        event=event,
        entity=entity,
        tickets=tickets,
        errors=errors,
        live=event.phase is EventPhase.LIVE,
        idempotency_key=uuid.uuid4().hex,
        moves=[p for p in BUTTON_ORDER if p in PHASE_MOVES[event.phase]] if team else [],
    )
