"""Events: create, edit and delete an entity's events, move their phase, sell, edit, hide and
delete ticket types, find events by entity, phase, time window or distance."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from msgspec import UNSET, Meta, UnsetType

from showgeo_api.http.deps import container_of
from showgeo_api.routes.schemas import MoneyIn, MoneyOut, PageOut
from showgeo_domain.events.geo import MAX_RADIUS_KM, GeoPoint
from showgeo_domain.events.model import (
    DESCRIPTION_MAX,
    MAX_QUOTA,
    TICKET_DESCRIPTION_MAX,
    TICKET_NAME_MAX,
    TITLE_MAX,
    VENUE_NAME_MAX,
    Event,
    EventPhase,
    TicketType,
    TicketTypeEdit,
    Venue,
)
from showgeo_domain.events.ports import ByDistance, ByStart, EventHit, EventQuery
from showgeo_domain.events.services import EventChanges, EventDetails, Events, TicketTypeDetails
from showgeo_domain.identity.model import Actor
from showgeo_domain.orders.event_phases import EventPhases
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_position

EntityRef = Annotated[str, Meta(min_length=1, max_length=64)]
Title = Annotated[str, Meta(min_length=1, max_length=TITLE_MAX)]
Description = Annotated[str, Meta(max_length=DESCRIPTION_MAX)]
Instant = Annotated[datetime, Meta(tz=True, description="RFC 3339 with a time zone")]


class VenueIn(msgspec.Struct):
    name: Annotated[str, Meta(min_length=1, max_length=VENUE_NAME_MAX)]
    lat: Annotated[float, Meta(ge=-90, le=90)]
    lon: Annotated[float, Meta(ge=-180, le=180)]
    country: Annotated[str, Meta(pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]

    def to_venue(self) -> Venue:
        return Venue(self.name, self.lat, self.lon, self.country)


class VenueOut(msgspec.Struct):
    name: str
    lat: float
    lon: float
    country: str


class EventIn(msgspec.Struct):
    title: Title
    starts_at: Instant
    description: Description | None = None
    ends_at: Instant | None = None
    venue: VenueIn | None = None


class EventPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields present change; `null` clears description, ends_at and venue."""

    title: Title | UnsetType = UNSET
    description: Description | UnsetType | None = UNSET
    starts_at: Instant | UnsetType = UNSET
    ends_at: Instant | UnsetType | None = UNSET
    venue: VenueIn | UnsetType | None = UNSET

    def to_changes(self) -> EventChanges:
        """What `Events.update` takes: absent fields stay, `null` ones are cleared."""
        return EventChanges(
            title=None if self.title is UNSET else self.title,
            description=None if self.description is UNSET else self.description,
            clear_description=self.description is None,
            starts_at=None if self.starts_at is UNSET else utc(self.starts_at),
            ends_at=None if self.ends_at is UNSET else utc(self.ends_at),
            clear_ends_at=self.ends_at is None,
            venue=self.venue.to_venue() if isinstance(self.venue, VenueIn) else None,
            clear_venue=self.venue is None,
        )


class PhaseIn(msgspec.Struct):
    to: EventPhase


TicketName = Annotated[str, Meta(min_length=1, max_length=TICKET_NAME_MAX)]
TicketDescription = Annotated[str, Meta(max_length=TICKET_DESCRIPTION_MAX)]
Quota = Annotated[int, Meta(ge=1, le=MAX_QUOTA)]


class TicketTypeIn(msgspec.Struct):
    name: TicketName
    price: MoneyIn
    quota: Quota
    sales_start: Instant | None = None
    sales_end: Instant | None = None
    description: TicketDescription | None = None


class TicketTypePatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields present change; `null` clears description, sales_start and
    sales_end. The price changes only while no seat is sold; the quota never goes below the
    seats sold and held; `hidden` takes the type off sale (and out of public lists)."""

    name: TicketName | UnsetType = UNSET
    description: TicketDescription | UnsetType | None = UNSET
    price: MoneyIn | UnsetType = UNSET
    quota: Quota | UnsetType = UNSET
    sales_start: Instant | UnsetType | None = UNSET
    sales_end: Instant | UnsetType | None = UNSET
    hidden: bool | UnsetType = UNSET

    def to_edit(self) -> TicketTypeEdit:
        return TicketTypeEdit(
            name=None if self.name is UNSET else self.name,
            description=None if self.description is UNSET else self.description,
            clear_description=self.description is None,
            price=self.price.to_money() if isinstance(self.price, MoneyIn) else None,
            quota=None if self.quota is UNSET else self.quota,
            sales_start=None if self.sales_start is UNSET else utc(self.sales_start),
            clear_sales_start=self.sales_start is None,
            sales_end=None if self.sales_end is UNSET else utc(self.sales_end),
            clear_sales_end=self.sales_end is None,
            hidden=None if self.hidden is UNSET else self.hidden,
        )


class EventOut(msgspec.Struct):
    id: UUID
    entity_id: UUID
    title: str
    description: str | None
    starts_at: datetime
    ends_at: datetime | None
    venue: VenueOut | None
    phase: str
    phase_changed_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, event: Event) -> EventOut:
        return cls(**event_fields(event))


class EventHitOut(EventOut):
    """A search result; `distance_km` is set only when the search was `near` a point."""

    distance_km: float | None = None

    @classmethod
    def of_hit(cls, hit: EventHit) -> EventHitOut:
        distance = None if hit.distance_km is None else round(hit.distance_km, 3)
        return cls(**event_fields(hit.event), distance_km=distance)


def event_fields(event: Event) -> dict[str, Any]:
    venue = event.venue
    return {
        "id": event.id,
        "entity_id": event.entity_id,
        "title": event.title,
        "description": event.description,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "venue": VenueOut(venue.name, venue.lat, venue.lon, venue.country) if venue else None,
        "phase": event.phase.value,
        "phase_changed_at": event.phase_changed_at,
        "created_at": event.created_at,
        "updated_at": event.updated_at,
    }


class TicketTypeOut(msgspec.Struct):
    id: UUID
    event_id: UUID
    name: str
    description: str | None
    price: MoneyOut
    quota: int
    sold: int
    reserved: int
    available: int
    on_sale: bool
    hidden: bool
    sales_start: datetime | None
    sales_end: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, ticket_type: TicketType, on_sale: bool) -> TicketTypeOut:
        return cls(
            id=ticket_type.id,
            event_id=ticket_type.event_id,
            name=ticket_type.name,
            description=ticket_type.description,
            price=MoneyOut.of(ticket_type.price),
            quota=ticket_type.quota,
            sold=ticket_type.sold,
            reserved=ticket_type.reserved,
            available=ticket_type.available,
            on_sale=on_sale,
            hidden=ticket_type.hidden,
            sales_start=ticket_type.sales_start,
            sales_end=ticket_type.sales_end,
            created_at=ticket_type.created_at,
        )


class TicketTypesOut(msgspec.Struct):
    items: list[TicketTypeOut]
    next_cursor: str | None = None


def parse_near(raw: str) -> GeoPoint:
    """`"lat,lon"` in decimal degrees, e.g. `38.7223,-9.1393`."""
    try:
        lat, lon = (float(part) for part in raw.split(","))
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise ValueError(raw)
        return GeoPoint(lat, lon)
    except (ValueError, InvalidInput) as exc:
        raise InvalidInput(
            "near must be 'lat,lon' in decimal degrees, e.g. 38.7223,-9.1393", field="near"
        ) from exc


def utc(moment: datetime | None) -> datetime | None:
    """Times go in (and come out) in UTC, whatever offset the client wrote."""
    return moment.astimezone(UTC) if moment is not None else None


def parse_instant(raw: str | None, name: str) -> datetime | None:
    """An RFC 3339 query parameter; naive times are refused (which zone would they be in?)."""
    if raw is None:
        return None
    try:
        return utc(msgspec.convert(raw, Instant))
    except msgspec.ValidationError as exc:
        raise InvalidInput(f"{name} must be an RFC 3339 time with a zone", field=name) from exc


def _position(cursor: str | None, near: GeoPoint | None) -> ByStart | ByDistance | None:
    """A list sorted by distance pages with distance cursors, any other with start cursors."""
    if cursor is None:
        return None
    position = decode_position(cursor, ByStart | ByDistance)
    if isinstance(position, ByDistance) != (near is not None):
        raise InvalidInput("this cursor belongs to another kind of search", field="cursor")
    assert isinstance(position, ByStart | ByDistance)
    return position


class EntityEventsController(Controller):
    path = "/entities/{ref:str}/events"
    tags = ["events"]

    @post("/", status_code=201, security=[{"BearerToken": []}])
    async def create(
        self,
        ref: EntityRef,
        data: JSONBody[EventIn],
        actor: NamedDependency[Actor],
        events: NamedDependency[Events],
    ) -> EventOut:
        details = EventDetails(
            title=data.title,
            description=data.description,
            starts_at=data.starts_at.astimezone(UTC),
            ends_at=utc(data.ends_at),
            venue=data.venue.to_venue() if data.venue else None,
        )
        return EventOut.of(await events.create(actor, ref, details))


class EventsController(Controller):
    path = "/events"
    tags = ["events"]

    @get("/")
    async def search(
        self,
        request: Request[Any, Any, Any],
        entity: Annotated[
            str | None, QueryParameter(max_length=64, description="entity id or slug")
        ] = None,
        phase: FromQuery[EventPhase | None] = None,
        near: Annotated[
            str | None, QueryParameter(max_length=64, description="lat,lon in decimal degrees")
        ] = None,
        radius_km: Annotated[float | None, QueryParameter(gt=0, le=MAX_RADIUS_KM)] = None,
        starts_from: Annotated[
            str | None, QueryParameter(name="from", max_length=64, format="date-time")
        ] = None,
        starts_to: Annotated[
            str | None, QueryParameter(name="to", max_length=64, format="date-time")
        ] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=512)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> PageOut[EventHitOut]:
        """Soonest first; with `near` and `radius_km`, only events with a venue inside the
        circle, nearest first. `from` is inclusive, `to` exclusive."""
        container = container_of(request)  # no DI: see deps.container_of
        point = parse_near(near) if near is not None else None
        query = EventQuery(
            entity_id=(await container.entities().get(entity)).id if entity else None,
            phase=phase,
            near=point,
            radius_km=radius_km,
            starts_from=parse_instant(starts_from, "from"),
            starts_to=parse_instant(starts_to, "to"),
            limit=limit,
            after=_position(cursor, point),
        )
        found = await container.events().search(query)
        return PageOut([EventHitOut.of_hit(hit) for hit in found.items], found.next_cursor)

    @get("/{event_id:uuid}")
    async def read(self, event_id: FromPath[UUID], events: NamedDependency[Events]) -> EventOut:
        return EventOut.of(await events.get(event_id))

    @patch("/{event_id:uuid}", security=[{"BearerToken": []}])
    async def update(
        self,
        event_id: FromPath[UUID],
        data: JSONBody[EventPatch],
        actor: NamedDependency[Actor],
        events: NamedDependency[Events],
    ) -> EventOut:
        return EventOut.of(await events.update(actor, event_id, data.to_changes()))

    @delete("/{event_id:uuid}", security=[{"BearerToken": []}])
    async def delete_event(
        self,
        event_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        events: NamedDependency[Events],
    ) -> None:
        """Only an event that sold nothing (no ticket issued, no seat held) and is not LIVE;
        otherwise 409 `event_has_sales` (cancel it: `POST /events/{id}/phase` to CANCELLED
        refunds its buyers) or `event_is_live`."""
        await events.delete(actor, event_id)

    @post("/{event_id:uuid}/phase", status_code=200, security=[{"BearerToken": []}])
    async def move(
        self,
        event_id: FromPath[UUID],
        data: JSONBody[PhaseIn],
        actor: NamedDependency[Actor],
        event_phases: NamedDependency[EventPhases],
    ) -> EventOut:
        """Cancelling refunds the event's paid tickets, inside this request until the event
        bus lands (and may be repeated to finish refunds a provider failure interrupted)."""
        return EventOut.of(await event_phases.move(actor, event_id, data.to))

    @post("/{event_id:uuid}/ticket-types", status_code=201, security=[{"BearerToken": []}])
    async def add_ticket_type(
        self,
        event_id: FromPath[UUID],
        data: JSONBody[TicketTypeIn],
        actor: NamedDependency[Actor],
        events: NamedDependency[Events],
        now: NamedDependency[datetime],
    ) -> TicketTypeOut:
        details = TicketTypeDetails(
            name=data.name,
            price=data.price.to_money(),
            quota=data.quota,
            sales_start=utc(data.sales_start),
            sales_end=utc(data.sales_end),
            description=data.description,
        )
        ticket_type = await events.add_ticket_type(actor, event_id, details)
        return TicketTypeOut.of(ticket_type, ticket_type.on_sale(now))  # its event is open

    @get("/{event_id:uuid}/ticket-types")
    async def ticket_types(
        self,
        event_id: FromPath[UUID],
        viewer: NamedDependency[Actor | None],
        events: NamedDependency[Events],
        now: NamedDependency[datetime],
    ) -> TicketTypesOut:
        """The event's ticket types, oldest first, in one page (an event has a few); hidden
        ones only for those who may manage them (MANAGE_STORE)."""
        found = await events.ticket_types(event_id, viewer)
        return TicketTypesOut(
            [TicketTypeOut.of(t, t.sellable(found.event, now)) for t in found.items]
        )

    @patch("/{event_id:uuid}/ticket-types/{ticket_type_id:uuid}", security=[{"BearerToken": []}])
    async def edit_ticket_type(
        self,
        event_id: FromPath[UUID],
        ticket_type_id: FromPath[UUID],
        data: JSONBody[TicketTypePatch],
        actor: NamedDependency[Actor],
        events: NamedDependency[Events],
        now: NamedDependency[datetime],
    ) -> TicketTypeOut:
        """409 `price_locked_after_sales` for a new price once a seat is sold,
        `quota_below_sold` for a quota under the seats sold and held, `event_not_editable`
        once the event is over or cancelled."""
        ticket_type = await events.edit_ticket_type(actor, event_id, ticket_type_id, data.to_edit())
        on_sale = not ticket_type.hidden and ticket_type.on_sale(now)  # its event is open
        return TicketTypeOut.of(ticket_type, on_sale)

    @delete("/{event_id:uuid}/ticket-types/{ticket_type_id:uuid}", security=[{"BearerToken": []}])
    async def delete_ticket_type(
        self,
        event_id: FromPath[UUID],
        ticket_type_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        events: NamedDependency[Events],
    ) -> None:
        """Only while nothing of it was sold, held or issued; otherwise 409
        `ticket_type_has_sales` (hide it instead: `PATCH` with `{"hidden": true}`)."""
        await events.delete_ticket_type(actor, event_id, ticket_type_id)
