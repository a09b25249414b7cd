"""Domain events: immutable facts, serialisable with msgspec, published on the bus as
`showgeo.<context>.<name>`."""

from __future__ import annotations

import re
from datetime import datetime
from typing import ClassVar
from uuid import UUID

import msgspec

from showgeo_domain.shared.ids import new_id

_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


class DomainEvent(msgspec.Struct, frozen=True, kw_only=True):
    """Base of every event; `id` doubles as the bus de-duplication key (`Nats-Msg-Id`).

    `schema_version` is the version of the event's published schema (docs/events.md). Within
    a version an event only gains optional fields; a change that would break a consumer
    (removing, renaming or retyping a field, or a new required one) raises it: the event
    redeclares `schema_version: int = 2`."""

    context: ClassVar[str] = "shared"

    occurred_at: datetime
    id: UUID = msgspec.field(default_factory=new_id)
    schema_version: int = 1

    @classmethod
    def event_name(cls) -> str:
        return _CAMEL_BOUNDARY.sub("_", cls.__name__).lower()

    @classmethod
    def subject(cls) -> str:
        return f"showgeo.{cls.context}.{cls.event_name()}"


class RecordsEvents:
    """Mixin for aggregates: events raised by a change wait here until the unit of work commits.

    Aggregates are dataclasses and declare `pending_events` as a field with an empty default."""

    pending_events: list[DomainEvent]

    def record(self, event: DomainEvent) -> None:
        self.pending_events.append(event)

    def pull_events(self) -> list[DomainEvent]:
        events, self.pending_events = self.pending_events, []
        return events
