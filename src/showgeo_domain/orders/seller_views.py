"""What sellers read of their sales: the orders of an entity or of one event, one order in
full, and an event's attendees (one row per ticket), with the filters the back-office needs.

Reads only. Pages are keyset pages, newest first; exports walk the same keyset one page per
short read-only unit of work, so a long download never holds a transaction open and never
holds more than one page in memory. Buyers appear by display name and email only: what a
seller needs to reach the person who paid, nothing of their profile beyond it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import UUID

from showgeo_domain.entities.policy import EntityPermission
from showgeo_domain.entities.services import find_entity, require_permission
from showgeo_domain.events.services import find_event
from showgeo_domain.identity.model import Actor
from showgeo_domain.orders.errors import OrderNotFound
from showgeo_domain.orders.ports import OrdersUnitOfWork
from showgeo_domain.orders.seller_queries import (
    Attendee,
    AttendeeFilters,
    OrderFilters,
    OrderScope,
    OrderTotals,
    SellerOrder,
    SellerOrderDetail,
    TicketTally,
    TicketTypeCount,
)
from showgeo_domain.shared.pagination import BATCH_LIMIT, BatchRequest, Page, PageRequest
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class AttendeeList:
    page: Page[Attendee]
    counts: list[TicketTypeCount]


class SellerViews:
    """VIEW_REVENUE for orders (owners, entity admins, platform admins: the money and who paid
    it); VIEW_ATTENDEES for attendees (the whole team, door staff included)."""

    def __init__(self, uow: UnitOfWorkFactory[OrdersUnitOfWork]) -> None:
        self._uow = uow

    async def entity_orders(
        self, actor: Actor, entity_ref: str | UUID, filters: OrderFilters, page: PageRequest
    ) -> tuple[Page[SellerOrder], OrderTotals]:
        scope = await self.entity_scope(actor, entity_ref, filters)
        return await self._orders(scope, page)

    async def event_orders(
        self, actor: Actor, event_id: UUID, filters: OrderFilters, page: PageRequest
    ) -> tuple[Page[SellerOrder], OrderTotals]:
        scope = await self.event_scope(actor, event_id, filters)
        return await self._orders(scope, page)

    async def entity_scope(
        self, actor: Actor, entity_ref: str | UUID, filters: OrderFilters
    ) -> OrderScope:
        """Checks the permission: an export calls it before its first byte is sent."""
        async with self._uow(read_only=True) as uow:
            entity = await find_entity(uow, entity_ref)
            await require_permission(uow, entity, actor, EntityPermission.VIEW_REVENUE)
        return OrderScope(entity_id=entity.id, filters=filters)

    async def event_scope(self, actor: Actor, event_id: UUID, filters: OrderFilters) -> OrderScope:
        async with self._uow(read_only=True) as uow:
            event = await find_event(uow, event_id)
            entity = await find_entity(uow, event.entity_id)
            await require_permission(uow, entity, actor, EntityPermission.VIEW_REVENUE)
        return OrderScope(entity_id=entity.id, event_id=event.id, filters=filters)

    async def order(
        self, actor: Actor, entity_ref: str | UUID, order_id: UUID
    ) -> SellerOrderDetail:
        """An order of another entity is not found here, whatever the caller may see there."""
        async with self._uow(read_only=True) as uow:
            entity = await find_entity(uow, entity_ref)
            await require_permission(uow, entity, actor, EntityPermission.VIEW_REVENUE)
            found = await uow.orders.seller_order(entity.id, order_id)
            if found is None:
                raise OrderNotFound(f"no order {order_id}")
            tickets = await uow.tickets.list_for_order(order_id)
        return SellerOrderDetail(found.order, found.buyer, tickets)

    async def attendees(
        self, actor: Actor, event_id: UUID, filters: AttendeeFilters, page: PageRequest
    ) -> AttendeeList:
        await self.attendee_access(actor, event_id)
        async with self._uow(read_only=True) as uow:
            found = await uow.tickets.attendees(event_id, filters, page)
            types = await uow.ticket_types.list_for_event(event_id)
            tallies = {t.ticket_type_id: t for t in await uow.tickets.tally(event_id)}
        counts = []
        for ticket_type in types:
            tally = tallies.get(ticket_type.id, TicketTally(ticket_type.id, 0, 0, 0))
            counts.append(
                TicketTypeCount(
                    ticket_type_id=ticket_type.id,
                    name=ticket_type.name,
                    quota=ticket_type.quota,
                    sold=ticket_type.sold,
                    checked_in=tally.checked_in,
                    refunded=tally.voided,
                    available=max(0, ticket_type.quota - ticket_type.sold - ticket_type.reserved),
                )
            )
        return AttendeeList(found, counts)

    async def attendee_access(self, actor: Actor, event_id: UUID) -> None:
        async with self._uow(read_only=True) as uow:
            event = await find_event(uow, event_id)
            entity = await find_entity(uow, event.entity_id)
            await require_permission(uow, entity, actor, EntityPermission.VIEW_ATTENDEES)

    async def order_batches(self, scope: OrderScope) -> AsyncIterator[list[SellerOrder]]:
        """Every matching order, one batch (`BatchRequest`, larger than a caller's page) per
        read-only unit of work (after the caller checked access with `entity_scope` or
        `event_scope`)."""
        page: PageRequest = BatchRequest(limit=BATCH_LIMIT)
        while True:
            async with self._uow(read_only=True) as uow:
                found = await uow.orders.for_seller(scope, page)
            if found.items:
                yield found.items
            if found.next_cursor is None:
                return
            page = BatchRequest.parse(found.next_cursor, BATCH_LIMIT)

    async def attendee_batches(
        self, event_id: UUID, filters: AttendeeFilters
    ) -> AsyncIterator[list[Attendee]]:
        """Every matching attendee, batch by batch (after `attendee_access`)."""
        page: PageRequest = BatchRequest(limit=BATCH_LIMIT)
        while True:
            async with self._uow(read_only=True) as uow:
                found = await uow.tickets.attendees(event_id, filters, page)
            if found.items:
                yield found.items
            if found.next_cursor is None:
                return
            page = BatchRequest.parse(found.next_cursor, BATCH_LIMIT)

    async def _orders(
        self, scope: OrderScope, page: PageRequest
    ) -> tuple[Page[SellerOrder], OrderTotals]:
        async with self._uow(read_only=True) as uow:
            return await uow.orders.for_seller(scope, page), await uow.orders.seller_totals(scope)
