from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from showgeo_domain.shared.domain_events import DomainEvent


class StreamingEvent(DomainEvent, frozen=True, kw_only=True):
    context: ClassVar[str] = "streaming"


class StreamConfigured(StreamingEvent, frozen=True, kw_only=True):
    """An event's stream was set up or its access rules changed."""

    event_id: UUID
    entity_id: UUID
    access_level: str
    geofenced: bool
