"""Event use cases: create and edit events, move their phase, define ticket types, find them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from showgeo_domain.entities.policy import EntityPermission
from showgeo_domain.entities.services import find_entity, require_permission
from showgeo_domain.events.errors import EventNotFound
from showgeo_domain.events.geo import check_radius
from showgeo_domain.events.model import Event, EventPhase, TicketType, Venue
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


@dataclass(frozen=True, slots=True)
class EventTicketTypes:
    """Ticket types with their event: whether one is on sale depends on the event's phase."""

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
                now=self._clock.now(),
            )
            await uow.ticket_types.add(ticket_type)
            await uow.commit()
            return ticket_type

    async def ticket_types(self, event_id: UUID) -> EventTicketTypes:
        async with self._uow() as uow:
            event = await find_event(uow, event_id)
            return EventTicketTypes(event, await uow.ticket_types.list_for_event(event.id))

    async def _require(
        self, uow: EventsUnitOfWork, event: Event, actor: Actor, permission: EntityPermission
    ) -> None:
        entity = await find_entity(uow, event.entity_id)
        await require_permission(uow, entity, actor, permission)
