"""What the events context needs from storage."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Protocol, TypeVar
from uuid import UUID

import msgspec

from showgeo_domain.entities.ports import EntitiesUnitOfWork
from showgeo_domain.events.geo import GeoPoint, distance_km
from showgeo_domain.events.model import Event, EventPhase, TicketType
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.inventory import Inventory
from showgeo_domain.shared.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, encode_position

R = TypeVar("R")


class ByStart(msgspec.Struct, frozen=True, tag="s", array_like=True):
    """Position in a list sorted by start time, soonest first."""

    starts_at: Annotated[datetime, msgspec.Meta(tz=True)]
    id: UUID


class ByDistance(msgspec.Struct, frozen=True, tag="d", array_like=True):
    """Position in a list sorted by distance from the query's point, nearest first."""

    distance_km: float
    id: UUID


EventPosition = ByStart | ByDistance


class EventQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Filters combine with AND. With `near`, only events with a venue within `radius_km`
    come back, nearest first; otherwise soonest first."""

    entity_id: UUID | None = None
    phase: EventPhase | None = None
    near: GeoPoint | None = None
    radius_km: float | None = None
    starts_from: datetime | None = None
    starts_to: datetime | None = None
    limit: int = DEFAULT_LIMIT
    after: EventPosition | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}", field="limit")


@dataclass(frozen=True, slots=True)
class EventHit:
    event: Event
    distance_km: float | None = None

    def position(self) -> EventPosition:
        if self.distance_km is not None:
            return ByDistance(self.distance_km, self.event.id)
        return ByStart(self.event.starts_at, self.event.id)


def hits_page(hits: list[EventHit], limit: int) -> Page[EventHit]:
    """A page from up to `limit + 1` hits in order; the extra one only says more exist."""
    items = hits[:limit]
    more = len(hits) > limit
    return Page(items, encode_position(items[-1].position()) if more else None)


def nearest_first(
    candidates: Iterable[tuple[GeoPoint, Event]],
    *,
    center: GeoPoint,
    radius_km: float,
    after: EventPosition | None,
    limit: int,
) -> Page[EventHit]:
    """The exact step of a radius search, shared by every adapter so all of them cut at the
    radius and order ties identically: `candidates` passed the bounding-box prefilter."""
    return nearest_rows(
        ((point, event.id, event) for point, event in candidates),
        _itself,
        center=center,
        radius_km=radius_km,
        after=after,
        limit=limit,
    )


def _itself(event: Event) -> Event:
    return event


def nearest_rows(
    candidates: Iterable[tuple[GeoPoint, UUID, R]],
    build: Callable[[R], Event],
    *,
    center: GeoPoint,
    radius_km: float,
    after: EventPosition | None,
    limit: int,
) -> Page[EventHit]:
    """`nearest_first` over raw rows: ranks by (distance, id) and builds an `Event` (`build`)
    only for the page's rows, not for every row of the bounding box."""
    ranked = sorted(
        (
            (distance, event_id, row)
            for point, event_id, row in candidates
            if (distance := distance_km(center, point)) <= radius_km
        ),
        key=_rank,
    )
    if isinstance(after, ByDistance):
        ranked = [r for r in ranked if (r[0], r[1]) > (after.distance_km, after.id)]
    return hits_page([EventHit(build(row), d) for d, _, row in ranked[: limit + 1]], limit)


def _rank(entry: tuple[float, UUID, object]) -> tuple[float, UUID]:
    return entry[0], entry[1]


class EventRepository(Protocol):
    async def add(self, event: Event) -> None: ...

    async def update(self, event: Event) -> None: ...

    async def get(self, event_id: UUID, *, for_update: bool = False) -> Event | None:
        """`for_update` locks the row until commit, so phase moves are serialised."""
        ...

    async def search(self, query: EventQuery) -> Page[EventHit]:
        """Pages carry `next_cursor` encoding the last hit's `position()`.

        `query.after` must be the position kind the query sorts by (`ByDistance` with
        `near`, `ByStart` without): another kind is refused as `InvalidInput` on `cursor`,
        as is `near` without `radius_km`. Hits with `near` carry `distance_km`."""
        ...

    async def delete(self, event: Event) -> bool:
        """Remove the event with its ticket types and stream, only while no ticket was ever
        issued for it and none of its seats is sold or held; False (nothing removed)
        otherwise. Publishes the event's pending domain events when it removes it."""
        ...


class TicketTypeRepository(Inventory, Protocol):
    async def add(self, ticket_type: TicketType) -> None: ...

    async def get(self, ticket_type_id: UUID, *, for_update: bool = False) -> TicketType | None:
        """`for_update` locks the row until commit: reservations and sales of it wait, so
        the `sold` and `reserved` read stay true while an edit is decided."""
        ...

    async def update(self, ticket_type: TicketType) -> bool:
        """Write everything but `sold`/`reserved`, only while the new quota still covers
        them (the row's counters, not the copy's); False (nothing written) otherwise."""
        ...

    async def delete(self, ticket_type: TicketType) -> bool:
        """Remove it only while none of its seats is sold or held and no ticket of it was
        ever issued; False (nothing removed) otherwise."""
        ...

    async def list_for_event(self, event_id: UUID) -> list[TicketType]:
        """Oldest first; an event has a handful of ticket types."""
        ...


class EventsUnitOfWork(EntitiesUnitOfWork, Protocol):
    """What the events use cases need, and what `find_event` takes."""

    events: EventRepository
    ticket_types: TicketTypeRepository
