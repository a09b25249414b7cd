"""Event use cases: create, edit and delete events, move their phase, define, edit and delete
ticket types, find them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from showgeo_domain.entities import policy
from showgeo_domain.entities.policy import EntityPermission
from showgeo_domain.entities.services import find_entity, require_permission, role_of
from showgeo_domain.events.errors import (
    EventHasSales,
    EventNotFound,
    QuotaBelowSold,
    TicketTypeHasSales,
    TicketTypeNotFound,
)
from showgeo_domain.events.geo import check_radius
from showgeo_domain.events.model import Event, EventPhase, TicketType, TicketTypeEdit, Venue
from showgeo_domain.events.ports import EventHit, EventQuery, EventsUnitOfWork
from showgeo_domain.identity.model import Actor
from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import Page
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class EventDetails:
    title: str
    starts_at: datetime
    description: str | None = None
    ends_at: datetime | None = None
    venue: Venue | None = None


@dataclass(frozen=True, slots=True)
class EventChanges:
    title: str | None = None
    description: str | None = None
    clear_description: bool = False
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    clear_ends_at: bool = False
    venue: Venue | None = None
    clear_venue: bool = False


@dataclass(frozen=True, slots=True)
class TicketTypeDetails:
    name: str
    price: Money
    quota: int
    sales_start: datetime | None = None
    sales_end: datetime | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class EventTicketTypes:
    """Ticket types with their event: whether one is on sale depends on the event's phase.
    Hidden types are listed only to those who may manage them."""

    event: Event
    items: list[TicketType]


async def find_event(uow: EventsUnitOfWork, event_id: UUID, *, for_update: bool = False) -> Event:
    event = await uow.events.get(event_id, for_update=for_update)
    if event is None:
        raise EventNotFound(f"no event {event_id}")
    return event


class Events:
    """Who may run an event is the entity policy's call: MANAGE_EVENTS for the event itself
    (collaborators included: they run the show), MANAGE_STORE for ticket types (prices are
    the business side: owners and entity admins)."""

    def __init__(self, uow: UnitOfWorkFactory[EventsUnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def create(self, actor: Actor, entity_ref: str | UUID, details: EventDetails) -> Event:
        async with self._uow() as uow:
            entity = await find_entity(uow, entity_ref)
            await require_permission(uow, entity, actor, EntityPermission.MANAGE_EVENTS)
            event = Event.create(
                entity_id=entity.id,
                title=details.title,
                description=details.description,
                starts_at=details.starts_at,
                ends_at=details.ends_at,
                venue=details.venue,
                now=self._clock.now(),
            )
            await uow.events.add(event)
            await uow.commit()
            return event

    async def get(self, event_id: UUID) -> Event:
        async with self._uow(read_only=True) as uow:
            return await find_event(uow, event_id)

    async def search(self, query: EventQuery) -> Page[EventHit]:
        if (query.near is None) != (query.radius_km is None):
            raise InvalidInput("near and radius_km go together", field="radius_km")
        if query.radius_km is not None:
            check_radius(query.radius_km)
        for moment, name in ((query.starts_from, "from"), (query.starts_to, "to")):
            if moment is not None and moment.tzinfo is None:
                raise InvalidInput("times must carry a time zone (RFC 3339)", field=name)
        if query.starts_from and query.starts_to and query.starts_to < query.starts_from:
            raise InvalidInput("to must not be before from", field="to")
        async with self._uow(read_only=True) as uow:
            return await uow.events.search(query)

    async def update(self, actor: Actor, event_id: UUID, changes: EventChanges) -> Event:
        async with self._uow() as uow:
            event = await find_event(uow, event_id, for_update=True)
            await self._require(uow, event, actor, EntityPermission.MANAGE_EVENTS)
            event.update(
                now=self._clock.now(),
                title=changes.title,
                description=changes.description,
                clear_description=changes.clear_description,
                starts_at=changes.starts_at,
                ends_at=changes.ends_at,
                clear_ends_at=changes.clear_ends_at,
                venue=changes.venue,
                clear_venue=changes.clear_venue,
            )
            await uow.events.update(event)
            await uow.commit()
            return event

    async def move(self, actor: Actor, event_id: UUID, to: EventPhase) -> Event:
        async with self._uow() as uow:
            event = await find_event(uow, event_id, for_update=True)
            await self._require(uow, event, actor, EntityPermission.MANAGE_EVENTS)
            event.move_to(to, by=actor.user_id, now=self._clock.now())
            await uow.events.update(event)
            await uow.commit()
            return event

    async def add_ticket_type(
        self, actor: Actor, event_id: UUID, details: TicketTypeDetails
    ) -> TicketType:
        async with self._uow() as uow:
            # Locked: a cancel landing meanwhile must not leave tickets on sale for it.
            event = await find_event(uow, event_id, for_update=True)
            await self._require(uow, event, actor, EntityPermission.MANAGE_STORE)
            ticket_type = TicketType.create(
                event=event,
                name=details.name,
                price=details.price,
                quota=details.quota,
                sales_start=details.sales_start,
                sales_end=details.sales_end,
                description=details.description,
                now=self._clock.now(),
            )
            await uow.ticket_types.add(ticket_type)
            await uow.commit()
            return ticket_type

    async def edit_ticket_type(
        self, actor: Actor, event_id: UUID, ticket_type_id: UUID, changes: TicketTypeEdit
    ) -> TicketType:
        """The type is read under its row lock, so its `sold` and `reserved` are the ones
        the quota and price rules are checked against until commit."""
        async with self._uow() as uow:
            event = await find_event(uow, event_id, for_update=True)
            await self._require(uow, event, actor, EntityPermission.MANAGE_STORE)
            ticket_type = await _find_ticket_type(uow, event, ticket_type_id)
            ticket_type.edit(event, changes, now=self._clock.now())
            if not await uow.ticket_types.update(ticket_type):
                raise QuotaBelowSold(
                    "seats were sold or held meanwhile: the quota cannot go below them",
                    field="quota",
                )
            await uow.commit()
            return ticket_type

    async def delete_ticket_type(self, actor: Actor, event_id: UUID, ticket_type_id: UUID) -> None:
        async with self._uow() as uow:
            event = await find_event(uow, event_id, for_update=True)
            await self._require(uow, event, actor, EntityPermission.MANAGE_STORE)
            ticket_type = await _find_ticket_type(uow, event, ticket_type_id)
            ticket_type.delete(now=self._clock.now())
            if not await uow.ticket_types.delete(ticket_type):
                raise TicketTypeHasSales(
                    'tickets of this type were issued: hide it instead (PATCH {"hidden": true})'
                )
            await uow.commit()

    async def delete(self, actor: Actor, event_id: UUID) -> None:
        """Only an event that sold nothing goes; one that did is cancelled (refunds)."""
        async with self._uow() as uow:
            event = await find_event(uow, event_id, for_update=True)
            await self._require(uow, event, actor, EntityPermission.MANAGE_EVENTS)
            types = await uow.ticket_types.list_for_event(event.id)
            has_sales = any(t.sold or t.reserved for t in types)
            event.delete(by=actor.user_id, now=self._clock.now(), has_sales=has_sales)
            if not await uow.events.delete(event):
                raise EventHasSales(
                    "tickets of this event were issued: cancel it instead with "
                    'POST /events/{id}/phase {"to": "CANCELLED"}, which refunds its buyers'
                )
            await uow.commit()

    async def ticket_types(self, event_id: UUID, viewer: Actor | None = None) -> EventTicketTypes:
        """Every type for those who may manage them (MANAGE_STORE), the visible ones for
        everyone else."""
        async with self._uow() as uow:
            event = await find_event(uow, event_id)
            types = await uow.ticket_types.list_for_event(event.id)
            if any(t.hidden for t in types) and not await self._manages(uow, event, viewer):
                types = [t for t in types if not t.hidden]
            return EventTicketTypes(event, types)

    async def _manages(self, uow: EventsUnitOfWork, event: Event, viewer: Actor | None) -> bool:
        if viewer is None:
            return False
        role = await role_of(uow, event.entity_id, viewer)
        return policy.is_allowed(viewer, role, EntityPermission.MANAGE_STORE)

    async def _require(
        self, uow: EventsUnitOfWork, event: Event, actor: Actor, permission: EntityPermission
    ) -> None:
        entity = await find_entity(uow, event.entity_id)
        await require_permission(uow, entity, actor, permission)


async def _find_ticket_type(
    uow: EventsUnitOfWork, event: Event, ticket_type_id: UUID
) -> TicketType:
    """The event's ticket type, locked; one of another event is not found here."""
    ticket_type = await uow.ticket_types.get(ticket_type_id, for_update=True)
    if ticket_type is None or ticket_type.event_id != event.id:
        raise TicketTypeNotFound(f"no ticket type {ticket_type_id} in event {event.id}")
    return ticket_type
