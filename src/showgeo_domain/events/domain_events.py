from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from showgeo_domain.shared.domain_events import DomainEvent


class EventsEvent(DomainEvent, frozen=True, kw_only=True):
    context: ClassVar[str] = "events"


class EventCreated(EventsEvent, frozen=True, kw_only=True):
    event_id: UUID
    entity_id: UUID
    title: str
    starts_at: datetime


class EventUpdated(EventsEvent, frozen=True, kw_only=True):
    event_id: UUID
    entity_id: UUID
    fields: list[str]


class EventPhaseChanged(EventsEvent, frozen=True, kw_only=True):
    """Every move of the phase machine (→ PHASE_UPDATE to followers and ticket holders)."""

    event_id: UUID
    entity_id: UUID
    from_phase: str
    to_phase: str
    changed_by: UUID


class EventWentLive(EventsEvent, frozen=True, kw_only=True):
    """Raised beside `EventPhaseChanged` when the event goes LIVE (→ LIVE_NOW)."""

    event_id: UUID
    entity_id: UUID
    title: str


class TicketTypeCreated(EventsEvent, frozen=True, kw_only=True):
    ticket_type_id: UUID
    event_id: UUID
    entity_id: UUID
    quota: int
    price_amount: int
    price_currency: str


class EventDeleted(EventsEvent, frozen=True, kw_only=True):
    """An event that sold nothing was removed, with its ticket types."""

    event_id: UUID
    entity_id: UUID
    deleted_by: UUID


class TicketTypeUpdated(EventsEvent, frozen=True, kw_only=True):
    """Name, description, price, quota, sales window or `hidden` changed (`fields` says
    which); the values are the type's after the change."""

    ticket_type_id: UUID
    event_id: UUID
    entity_id: UUID
    fields: list[str]
    quota: int
    price_amount: int
    price_currency: str
    hidden: bool


class TicketTypeDeleted(EventsEvent, frozen=True, kw_only=True):
    """A ticket type that sold nothing was removed."""

    ticket_type_id: UUID
    event_id: UUID
    entity_id: UUID
