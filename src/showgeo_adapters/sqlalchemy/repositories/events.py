"""Events and their ticket types.

"Near me" runs in two steps: the bounding box of the circle narrows rows in SQL (an index on
(venue_lat, venue_lon) answers it), then the exact haversine distance is computed in Python
with the domain's `distance_km`, so every backend ranks and cuts at the radius identically
(no database trigonometry whose last digits could differ between SQLite and PostgreSQL).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, and_, delete, exists, or_, select, update

from showgeo_adapters.sqlalchemy.repositories._base import SqlInventory, SqlRepository
from showgeo_adapters.sqlalchemy.tables import asset_links, assets, events, ticket_types, tickets
from showgeo_domain.events.geo import GeoPoint, bounding_box
from showgeo_domain.events.model import Event, EventPhase, TicketType, Venue
from showgeo_domain.events.ports import (
    ByDistance,
    ByStart,
    EventHit,
    EventQuery,
    hits_page,
    nearest_first,
)
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import Page


def event_of(record: Any) -> Event:
    """An event from its row, read by key: an asyncpg record (a C lookup, nothing copied: a
    page of the radius search builds up to 21 per request) or a Core row's `_mapping`."""
    venue = None
    if record["venue_name"] is not None:
        venue = Venue(
            record["venue_name"], record["venue_lat"], record["venue_lon"], record["venue_country"]
        )
    return Event(
        id=record["id"],
        entity_id=record["entity_id"],
        title=record["title"],
        description=record["description"],
        starts_at=record["starts_at"],
        ends_at=record["ends_at"],
        venue=venue,
        phase=EventPhase(record["phase"]),
        phase_changed_at=record["phase_changed_at"],
        created_at=record["created_at"],
        updated_at=record["updated_at"],
    )


def _event_values(event: Event) -> dict[str, Any]:
    venue = event.venue
    return {
        "id": event.id,
        "entity_id": event.entity_id,
        "title": event.title,
        "description": event.description,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "venue_name": venue.name if venue else None,
        "venue_lat": venue.lat if venue else None,
        "venue_lon": venue.lon if venue else None,
        "venue_country": venue.country if venue else None,
        "phase": event.phase.value,
        "phase_changed_at": event.phase_changed_at,
        "created_at": event.created_at,
        "updated_at": event.updated_at,
    }


def _position_for(query: EventQuery) -> ByStart | ByDistance | None:
    """The cursor's position, which must be of the kind this query sorts by."""
    expected = ByStart if query.near is None else ByDistance
    if query.after is not None and not isinstance(query.after, expected):
        raise InvalidInput("cursor is not one this API issued", field="cursor")
    return query.after


class SqlEventRepository(SqlRepository):
    async def add(self, event: Event) -> None:
        await self._conn.execute(events.insert().values(_event_values(event)))
        self._events.track(event)

    async def update(self, event: Event) -> None:
        values = _event_values(event)
        del values["id"], values["entity_id"], values["created_at"]
        await self._conn.execute(update(events).where(events.c.id == event.id).values(values))
        self._events.track(event)

    async def get(self, event_id: UUID, *, for_update: bool = False) -> Event | None:
        """`for_update` is `SELECT ... FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE`
        already serialises writers."""
        query = select(events).where(events.c.id == event_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return event_of(row._mapping) if row else None

    async def delete(self, event: Event) -> bool:
        """Its ticket type rows are locked first, so no reservation or sale of them lands
        between the check and the delete; tickets RESTRICT the delete in the schema, so they
        are checked here and a refusal is a False, not an aborted transaction. Ticket types,
        the stream and the event's own assets go by CASCADE; links to those assets (which
        RESTRICT them) are removed first, as deleting an asset removes its links."""
        t = ticket_types.c
        await self._conn.execute(select(t.id).where(t.event_id == event.id).with_for_update())
        sold_or_held = exists().where(t.event_id == event.id, (t.sold + t.reserved) > 0)
        issued = exists().where(tickets.c.event_id == event.id)
        if (await self._conn.execute(select(or_(sold_or_held, issued)))).scalar():
            return False
        own_assets = select(assets.c.id).where(assets.c.event_id == event.id)
        await self._conn.execute(delete(asset_links).where(asset_links.c.asset_id.in_(own_assets)))
        result = await self._conn.execute(
            delete(events)
            .where(events.c.id == event.id, ~sold_or_held, ~issued)
            .returning(events.c.id)
        )
        if result.first() is None:
            return False
        self._events.track(event)
        return True

    async def search(self, query: EventQuery) -> Page[EventHit]:
        after = _position_for(query)
        filters = _filters(query)
        if query.near is not None and query.radius_km is not None:
            return await self._nearest(filters, query.near, query.radius_km, after, query.limit)
        statement = select(events).where(*filters)
        if query.near is None:
            if isinstance(after, ByStart):
                statement = statement.where(
                    or_(
                        events.c.starts_at > after.starts_at,
                        and_(events.c.starts_at == after.starts_at, events.c.id > after.id),
                    )
                )
            statement = statement.order_by(events.c.starts_at, events.c.id)
            rows = await self._conn.execute(statement.limit(query.limit + 1))
            return hits_page([EventHit(event_of(row._mapping)) for row in rows], query.limit)
        raise InvalidInput("near and radius_km go together", field="radius_km")

    async def _nearest(
        self,
        filters: list[ColumnElement[bool]],
        near: GeoPoint,
        radius_km: float,
        after: ByStart | ByDistance | None,
        limit: int,
    ) -> Page[EventHit]:
        """Trade-off: every event inside the box is read in one query, then ranked here.
        Memory grows with the events in the box, not with the page; fine while a radius
        holds hundreds of events, not millions. Past that, rank in the database (PostGIS
        `<->` with a GiST index) and page there."""
        box = bounding_box(near, radius_km)
        lon = events.c.venue_lon
        statement = select(events).where(
            *filters,
            events.c.venue_lat.is_not(None),
            events.c.venue_lat.between(box.min_lat, box.max_lat),
            or_(lon >= box.min_lon, lon <= box.max_lon)
            if box.wraps
            else lon.between(box.min_lon, box.max_lon),
        )
        rows = await self._conn.execute(statement)
        return nearest_first(
            ((GeoPoint(row.venue_lat, row.venue_lon), event_of(row._mapping)) for row in rows),
            center=near,
            radius_km=radius_km,
            after=after,
            limit=limit,
        )


def _filters(query: EventQuery) -> list[ColumnElement[bool]]:
    """The AND-combined filters every event search applies, sorted either way."""
    filters: list[ColumnElement[bool]] = []
    if query.entity_id is not None:
        filters.append(events.c.entity_id == query.entity_id)
    if query.phase is not None:
        filters.append(events.c.phase == query.phase.value)
    if query.starts_from is not None:
        filters.append(events.c.starts_at >= query.starts_from)
    if query.starts_to is not None:
        filters.append(events.c.starts_at < query.starts_to)
    return filters


def ticket_type_of(row: Any) -> TicketType:
    return TicketType(
        id=row.id,
        event_id=row.event_id,
        entity_id=row.entity_id,
        name=row.name,
        description=row.description,
        price=Money(row.price_amount, row.price_currency),
        quota=row.quota,
        hidden=row.hidden,
        sold=row.sold,
        reserved=row.reserved,
        sales_start=row.sales_start,
        sales_end=row.sales_end,
        created_at=row.created_at,
    )


class SqlTicketTypeRepository(SqlInventory):
    _table = ticket_types

    def _within_capacity(self, quantity: int) -> ColumnElement[bool]:
        t = ticket_types.c
        return t.sold + t.reserved + quantity <= t.quota

    async def add(self, ticket_type: TicketType) -> None:
        """The one write of `sold`/`reserved` from an aggregate (0 for a new type); from
        here on only conditional updates move them."""
        await self._conn.execute(
            ticket_types.insert().values(
                id=ticket_type.id,
                event_id=ticket_type.event_id,
                entity_id=ticket_type.entity_id,
                name=ticket_type.name,
                description=ticket_type.description,
                hidden=ticket_type.hidden,
                price_amount=ticket_type.price.amount,
                price_currency=ticket_type.price.currency,
                quota=ticket_type.quota,
                sold=ticket_type.sold,
                reserved=ticket_type.reserved,
                sales_start=ticket_type.sales_start,
                sales_end=ticket_type.sales_end,
                created_at=ticket_type.created_at,
            )
        )
        self._events.track(ticket_type)

    async def get(self, ticket_type_id: UUID, *, for_update: bool = False) -> TicketType | None:
        """`for_update` is `SELECT ... FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE`
        already serialises writers."""
        query = select(ticket_types).where(ticket_types.c.id == ticket_type_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return ticket_type_of(row) if row else None

    async def update(self, ticket_type: TicketType) -> bool:
        """Conditional on the row's own counters, so even a copy read without the lock can
        never write a quota under the seats sold and held (the CHECK would abort instead)."""
        t = ticket_types.c
        result = await self._conn.execute(
            update(ticket_types)
            .where(t.id == ticket_type.id, t.sold + t.reserved <= ticket_type.quota)
            .values(
                name=ticket_type.name,
                description=ticket_type.description,
                hidden=ticket_type.hidden,
                price_amount=ticket_type.price.amount,
                price_currency=ticket_type.price.currency,
                quota=ticket_type.quota,
                sales_start=ticket_type.sales_start,
                sales_end=ticket_type.sales_end,
            )
            .returning(t.id)
        )
        if result.first() is None:
            return False
        self._events.track(ticket_type)
        return True

    async def delete(self, ticket_type: TicketType) -> bool:
        t = ticket_types.c
        issued = exists().where(tickets.c.ticket_type_id == ticket_type.id)
        result = await self._conn.execute(
            delete(ticket_types)
            .where(t.id == ticket_type.id, t.sold == 0, t.reserved == 0, ~issued)
            .returning(t.id)
        )
        if result.first() is None:
            return False
        self._events.track(ticket_type)
        return True

    async def list_for_event(self, event_id: UUID) -> list[TicketType]:
        query = (
            select(ticket_types)
            .where(ticket_types.c.event_id == event_id)
            .order_by(ticket_types.c.created_at, ticket_types.c.id)
        )
        return [ticket_type_of(row) for row in await self._conn.execute(query)]
