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
