"""Events and ticket types read by hand (an event page, the radius search, a ticket type
before an order) and seats reserved by hand."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import ColumnElement

from showgeo_adapters.sqlalchemy.postgres.inventory import PostgresInventory
from showgeo_adapters.sqlalchemy.postgres.repository import PostgresRepository, RecordRow
from showgeo_adapters.sqlalchemy.repositories.events import (
    SqlEventRepository,
    SqlTicketTypeRepository,
    event_of,
    ticket_type_of,
)
from showgeo_domain.events.geo import GeoPoint, bounding_box
from showgeo_domain.events.model import Event, TicketType
from showgeo_domain.events.ports import ByDistance, ByStart, EventHit, nearest_rows
from showgeo_domain.shared.pagination import Page

_IN_BOX = """SELECT id, entity_id, title, description, starts_at, ends_at, venue_name, venue_lat,
venue_lon, venue_country, phase, phase_changed_at, created_at, updated_at FROM events
WHERE venue_lat IS NOT NULL AND venue_lat BETWEEN $1 AND $2 AND venue_lon BETWEEN $3 AND $4"""
_EVENT_BY_ID = """SELECT id, entity_id, title, description, starts_at, ends_at, venue_name,
venue_lat, venue_lon, venue_country, phase, phase_changed_at, created_at, updated_at FROM events
WHERE id = $1"""
_TICKET_TYPE_BY_ID = """SELECT id, event_id, entity_id, name, description, price_amount,
price_currency, quota, hidden, sold, reserved, sales_start, sales_end, created_at
FROM ticket_types WHERE id = $1"""


class PostgresEventRepository(PostgresRepository, SqlEventRepository):
    async def get(self, event_id: UUID, *, for_update: bool = False) -> Event | None:
        if for_update:
            return await super().get(event_id, for_update=True)
        rows = await self._fetch(_EVENT_BY_ID, event_id)
        if rows is None:
            return await super().get(event_id)
        return event_of(rows[0]) if rows else None

    async def _nearest(
        self,
        filters: list[ColumnElement[bool]],
        near: GeoPoint,
        radius_km: float,
        after: ByStart | ByDistance | None,
        limit: int,
    ) -> Page[EventHit]:
        """By hand when nothing but the box filters: the radius search with no other filter."""
        box = bounding_box(near, radius_km)
        rows = None
        if not filters and not box.wraps:
            rows = await self._fetch(_IN_BOX, box.min_lat, box.max_lat, box.min_lon, box.max_lon)
        if rows is None:
            return await super()._nearest(filters, near, radius_km, after, limit)
        return nearest_rows(
            ((GeoPoint(r["venue_lat"], r["venue_lon"]), r["id"], r) for r in rows),
            event_of,
            center=near,
            radius_km=radius_km,
            after=after,
            limit=limit,
        )


class PostgresTicketTypeRepository(PostgresInventory, SqlTicketTypeRepository):
    _reserve_sql = """UPDATE ticket_types SET reserved = reserved + $1
    WHERE id = $2 AND sold + reserved + $1 <= quota RETURNING id"""

    async def get(self, ticket_type_id: UUID, *, for_update: bool = False) -> TicketType | None:
        if for_update:
            return await super().get(ticket_type_id, for_update=True)
        rows = await self._fetch(_TICKET_TYPE_BY_ID, ticket_type_id)
        if rows is None:
            return await super().get(ticket_type_id)
        return ticket_type_of(RecordRow(rows[0])) if rows else None
