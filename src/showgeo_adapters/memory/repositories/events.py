"""Events and ticket types in memory, with the same radius search as SQL."""

from __future__ import annotations

import copy
from uuid import UUID

from showgeo_adapters.memory.repositories._base import (
    MemoryRepository,
    confirm_reserved,
    release_reserved,
    reserve_within,
    stored_copy,
)
from showgeo_domain.events.geo import bounding_box
from showgeo_domain.events.model import Event, TicketType
from showgeo_domain.events.ports import (
    ByDistance,
    ByStart,
    EventHit,
    EventQuery,
    hits_page,
    nearest_first,
)
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.pagination import Page


def _position_for(query: EventQuery) -> ByStart | ByDistance | None:
    """The cursor's position, which must be of the kind this query sorts by: a cursor from a
    "soonest first" list means nothing in a "nearest first" one."""
    expected = ByStart if query.near is None else ByDistance
    if query.after is not None and not isinstance(query.after, expected):
        raise InvalidInput("cursor is not one this API issued", field="cursor")
    return query.after


class MemoryEventRepository(MemoryRepository):
    async def add(self, event: Event) -> None:
        self.state.events[event.id] = stored_copy(event)
        self._events.track(event)

    async def update(self, event: Event) -> None:
        if event.id in self.state.events:
            self.state.events[event.id] = stored_copy(event)
        self._events.track(event)

    async def get(self, event_id: UUID, *, for_update: bool = False) -> Event | None:
        """`for_update` needs nothing here: units of work already run one at a time."""
        return copy.deepcopy(self.state.events.get(event_id))

    async def delete(self, event: Event) -> bool:
        """As the SQL adapter: refused while a ticket was issued or a seat is sold or held;
        ticket types, the stream with its sessions, recordings and ingresses, and the event's
        own assets (with their links) go with it (ON DELETE CASCADE there)."""
        state = self.state
        types = [t for t in state.ticket_types.values() if t.event_id == event.id]
        if any(t.sold or t.reserved for t in types) or any(
            ticket.event_id == event.id for ticket in state.tickets.values()
        ):
            return False
        if state.events.pop(event.id, None) is None:
            return False
        for ticket_type in types:
            del state.ticket_types[ticket_type.id]
        state.streams.pop(event.id, None)
        state.viewer_sessions = {k: v for k, v in state.viewer_sessions.items() if k[0] != event.id}
        for media in (state.stream_recordings, state.stream_ingresses):
            for key in [k for k, v in media.items() if v.event_id == event.id]:
                del media[key]
        own = {a.id for a in state.assets.values() if a.event_id == event.id}
        state.assets = {i: a for i, a in state.assets.items() if i not in own}
        state.asset_links = [k for k in state.asset_links if k.asset_id not in own]
        self._events.track(event)
        return True

    async def search(self, query: EventQuery) -> Page[EventHit]:
        after = _position_for(query)
        rows = [
            e
            for e in self.state.events.values()
            if (query.entity_id is None or e.entity_id == query.entity_id)
            and (query.phase is None or e.phase is query.phase)
            and (query.starts_from is None or e.starts_at >= query.starts_from)
            and (query.starts_to is None or e.starts_at < query.starts_to)
        ]
        if query.near is None:
            rows.sort(key=lambda e: (e.starts_at, e.id))
            if isinstance(after, ByStart):
                rows = [e for e in rows if (e.starts_at, e.id) > (after.starts_at, after.id)]
            hits = [EventHit(copy.deepcopy(e)) for e in rows[: query.limit + 1]]
            return hits_page(hits, query.limit)
        if query.radius_km is None:
            raise InvalidInput("near and radius_km go together", field="radius_km")
        # The same two steps as the SQL adapter: bounding box, then exact distance.
        near, radius = query.near, query.radius_km
        box = bounding_box(near, radius)
        return nearest_first(
            (
                (e.venue.point, copy.deepcopy(e))
                for e in rows
                if e.venue is not None and box.contains(e.venue.point)
            ),
            center=near,
            radius_km=radius,
            after=after,
            limit=query.limit,
        )


class MemoryTicketTypeRepository(MemoryRepository):
    async def add(self, ticket_type: TicketType) -> None:
        self.state.ticket_types[ticket_type.id] = stored_copy(ticket_type)
        self._events.track(ticket_type)

    async def get(self, ticket_type_id: UUID, *, for_update: bool = False) -> TicketType | None:
        """`for_update` needs nothing here: units of work already run one at a time."""
        return copy.deepcopy(self.state.ticket_types.get(ticket_type_id))

    async def update(self, ticket_type: TicketType) -> bool:
        """Keeps the stored `sold`/`reserved`, and writes only while the quota covers them."""
        stored = self.state.ticket_types.get(ticket_type.id)
        if stored is None or ticket_type.quota < stored.sold + stored.reserved:
            return False
        fresh = stored_copy(ticket_type)
        fresh.sold, fresh.reserved = stored.sold, stored.reserved
        self.state.ticket_types[ticket_type.id] = fresh
        self._events.track(ticket_type)
        return True

    async def delete(self, ticket_type: TicketType) -> bool:
        stored = self.state.ticket_types.get(ticket_type.id)
        if stored is None or stored.sold or stored.reserved:
            return False
        if any(t.ticket_type_id == ticket_type.id for t in self.state.tickets.values()):
            return False
        del self.state.ticket_types[ticket_type.id]
        self._events.track(ticket_type)
        return True

    async def list_for_event(self, event_id: UUID) -> list[TicketType]:
        rows = [t for t in self.state.ticket_types.values() if t.event_id == event_id]
        return [copy.deepcopy(t) for t in sorted(rows, key=lambda t: (t.created_at, t.id))]

    async def reserve(self, item_id: UUID, quantity: int) -> bool:
        found = self.state.ticket_types.get(item_id)
        return found is not None and reserve_within(found, quantity, found.quota)

    async def release(self, item_id: UUID, quantity: int) -> None:
        release_reserved(self.state.ticket_types.get(item_id), quantity)

    async def confirm(self, item_id: UUID, quantity: int) -> None:
        confirm_reserved(self.state.ticket_types.get(item_id), quantity)
