"""Order use cases: place with reservation, expire, settle a payment, tickets and check-in.

Placing an order is one transaction: every line's seats or stock are taken with a
conditional update, and if any line cannot be served the whole transaction rolls back, so a
refused order reserves nothing. Settling a payment is idempotent: a replayed notice of the
same payment changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from uuid import UUID

import msgspec

from showgeo_domain.entities.policy import EntityPermission
from showgeo_domain.entities.services import find_entity, require_permission
from showgeo_domain.events.errors import TicketTypeNotFound
from showgeo_domain.identity.model import Actor
from showgeo_domain.orders.errors import (
    IdempotencyKeyReused,
    NotOnSale,
    OrderNotFound,
    SoldOut,
    TicketNotFound,
)
from showgeo_domain.orders.model import (
    DEFAULT_RESERVATION_TTL,
    LineKind,
    Order,
    OrderLine,
    OrderStatus,
    Ticket,
)
from showgeo_domain.orders.ports import OrdersUnitOfWork
from showgeo_domain.orders.revenue import Revenue
from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.errors import InvalidInput, PermissionDenied
from showgeo_domain.shared.inventory import Inventory
from showgeo_domain.shared.pagination import Page, PageRequest
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory
from showgeo_domain.store.errors import ProductNotFound
from showgeo_domain.store.model import Visibility
from showgeo_domain.store.services import audience_of

IDEMPOTENCY_KEY_MAX = 255


class ItemRequest(msgspec.Struct, frozen=True, kw_only=True):
    """One line as the buyer asks for it: exactly one of the two ids."""

    ticket_type_id: UUID | None = None
    product_id: UUID | None = None
    quantity: int

    def __post_init__(self) -> None:
        if (self.ticket_type_id is None) == (self.product_id is None):
            raise InvalidInput("give either ticket_type_id or product_id", field="items")


def request_fingerprint(items: list[ItemRequest]) -> str:
    """Identifies the order's content, in any line order, to recognise a true retry."""
    canonical = sorted(msgspec.json.encode(item) for item in items)
    return hashlib.sha256(b"\n".join(canonical)).hexdigest()


class Settlement(StrEnum):
    PAID = "PAID"
    ALREADY_SETTLED = "ALREADY_SETTLED"
    TOO_LATE = "TOO_LATE"
    """The reservation had expired or was cancelled, or the event was cancelled meanwhile:
    the money must go back."""


@dataclass(frozen=True, slots=True)
class OrderWithTickets:
    order: Order
    tickets: list[Ticket]


class Orders:
    def __init__(
        self,
        uow: UnitOfWorkFactory[OrdersUnitOfWork],
        clock: Clock,
        reservation_ttl: timedelta = DEFAULT_RESERVATION_TTL,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ttl = reservation_ttl

    async def place(
        self,
        actor: Actor,
        items: list[ItemRequest],
        *,
        idempotency_key: str | None = None,
        before_insert: Callable[[Order], Awaitable[None]] | None = None,
    ) -> Order:
        """`before_insert` sees a new order once its lines are reserved, inside the
        transaction and just before the order row is written, so what it sets on the order
        (a checkout's `payment_ref`) is stored by the same INSERT. It must do no slow I/O:
        the reservations' row locks are held meanwhile. Retries answered by an earlier
        order never reach it."""
        if idempotency_key is not None and not 1 <= len(idempotency_key) <= IDEMPOTENCY_KEY_MAX:
            raise InvalidInput("Idempotency-Key must be 1-255 characters", field="Idempotency-Key")
        fingerprint = request_fingerprint(items)
        if idempotency_key is not None:
            earlier = await self._earlier(actor, idempotency_key, fingerprint)
            if earlier is not None:
                return earlier
        async with self._uow() as uow:
            now = self._clock.now()
            lines = [await self._line(uow, actor, item) for item in items]
            order = Order.place(
                buyer_id=actor.user_id,
                lines=lines,
                now=now,
                reservation_ttl=self._ttl,
                idempotency_key=idempotency_key,
                request_fingerprint=fingerprint,
            )
            # One order for all: two orders holding the same items in another order (a retry
            # with the lines reversed) would each lock one row and wait for the other's.
            for line in sorted(order.lines, key=lambda line: (line.kind.value, line.item_id)):
                if not await _inventory(uow, line.kind).reserve(line.item_id, line.quantity):
                    raise SoldOut(f"not enough left of {line.title!r}", item_id=str(line.item_id))
            if before_insert is not None:
                await before_insert(order)
            if not await uow.orders.add(order):
                await uow.rollback()  # a concurrent retry with this key got there first
            else:
                await uow.commit()
                return order
        earlier = await self._earlier(actor, idempotency_key or "", fingerprint)
        assert earlier is not None, "add() refused the order without an order holding its key"
        return earlier

    async def get(self, actor: Actor, order_id: UUID) -> Order:
        """Buyers see their orders; entity staff with VIEW_REVENUE and admins see the
        entity's. An overdue reservation is expired on read, so nobody sees it as live."""
        async with self._uow() as uow:
            order = await uow.orders.get(order_id, for_update=True)
            if order is None:
                raise OrderNotFound(f"no order {order_id}")
            if order.buyer_id != actor.user_id:
                entity = await find_entity(uow, order.entity_id)
                try:
                    await require_permission(uow, entity, actor, EntityPermission.VIEW_REVENUE)
                except PermissionDenied as exc:  # others' orders do not exist for you
                    raise OrderNotFound(f"no order {order_id}") from exc
            if order.is_overdue(self._clock.now()):
                await self._expire(uow, order)
                await uow.commit()
            return order

    async def of_buyer(self, actor: Actor, page: PageRequest) -> Page[Order]:
        async with self._uow() as uow:
            return await uow.orders.list_for_buyer(actor.user_id, page)

    async def cancel(self, actor: Actor, order_id: UUID) -> Order:
        async with self._uow() as uow:
            order = await uow.orders.get(order_id, for_update=True)
            if order is None or order.buyer_id != actor.user_id:
                raise OrderNotFound(f"no order {order_id}")
            order.cancel(self._clock.now())
            await _release(uow, order)
            await uow.orders.update(order)
            await uow.commit()
            return order

    async def expire(self, order_id: UUID, *, only_if_overdue: bool) -> bool:
        """Expire a PENDING order and give its reservations back: when its payment session
        died (`only_if_overdue=False`) or its reservation ran out. Other orders are left as
        they are. True when this call expired it."""
        async with self._uow() as uow:
            order = await uow.orders.get(order_id, for_update=True)
            if order is None or order.status is not OrderStatus.PENDING:
                return False
            if only_if_overdue and not order.is_overdue(self._clock.now()):
                return False
            await self._expire(uow, order)
            await uow.commit()
            return True

    async def expire_overdue(self, batch: int = 100) -> int:
        """Give back what lapsed reservations hold; one transaction per order so a sweep
        never holds many locks. Returns how many orders expired."""
        async with self._uow() as uow:
            due = await uow.orders.overdue(self._clock.now(), batch)
        expired = 0
        for order_id in due:
            expired += await self.expire(order_id, only_if_overdue=True)
        return expired

    async def settle_payment(self, order_id: UUID, *, payment_ref: str | None) -> Settlement:
        """Record that the order was paid: confirm its reservations and issue its tickets.
        Safe to call again for the same payment."""
        async with self._uow() as uow:
            order = await uow.orders.get(order_id, for_update=True)
            if order is None:
                raise OrderNotFound(f"no order {order_id}")
            if order.status is not OrderStatus.PENDING:
                if order.status in (OrderStatus.EXPIRED, OrderStatus.CANCELLED):
                    await _remember_payment(uow, order, payment_ref)
                    return Settlement.TOO_LATE
                return Settlement.ALREADY_SETTLED
            now = self._clock.now()
            if not await _events_still_open(uow, order):
                # Paid for a show that was cancelled meanwhile: no tickets for it. The order
                # gives its reservations back and the caller returns the money.
                order.cancel(now)
                await _release(uow, order)
                await _remember_payment(uow, order, payment_ref)
                return Settlement.TOO_LATE
            order.mark_paid(payment_ref=payment_ref, now=now)
            for line in order.lines:
                await _inventory(uow, line.kind).confirm(line.item_id, line.quantity)
            await uow.tickets.add_many(Ticket.issue_for(order, now))
            await uow.orders.update(order)
            await uow.commit()
            return Settlement.PAID

    async def revenue(self, actor: Actor, entity_ref: str | UUID) -> Revenue:
        """What the entity took, per currency, event and product (VIEW_REVENUE: owners,
        entity admins, platform admins; anyone else 403, as the entity itself is public)."""
        async with self._uow() as uow:
            entity = await find_entity(uow, entity_ref)
            await require_permission(uow, entity, actor, EntityPermission.VIEW_REVENUE)
            return await uow.orders.revenue(entity.id)

    async def tickets_of(self, actor: Actor, page: PageRequest) -> Page[Ticket]:
        async with self._uow() as uow:
            return await uow.tickets.list_for_holder(actor.user_id, page)

    async def check_in(self, actor: Actor, code: str) -> Ticket:
        async with self._uow() as uow:
            ticket = await uow.tickets.get_by_code(code, for_update=True)
            if ticket is None:
                raise TicketNotFound("no ticket with this code")
            event = await uow.events.get(ticket.event_id)
            if event is None:
                raise TicketNotFound("no ticket with this code")
            entity = await find_entity(uow, event.entity_id)
            await require_permission(uow, entity, actor, EntityPermission.CHECK_IN_TICKETS)
            ticket.check_in(self._clock.now())
            await uow.tickets.update(ticket)
            await uow.commit()
            return ticket

    async def _earlier(self, actor: Actor, key: str, fingerprint: str) -> Order | None:
        async with self._uow() as uow:
            earlier = await uow.orders.get_by_idempotency_key(actor.user_id, key)
        if earlier is not None and earlier.request_fingerprint != fingerprint:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used for a different order", field="Idempotency-Key"
            )
        return earlier

    async def _line(self, uow: OrdersUnitOfWork, actor: Actor, item: ItemRequest) -> OrderLine:
        now = self._clock.now()
        if item.ticket_type_id is not None:
            ticket_type = await uow.ticket_types.get(item.ticket_type_id)
            event = await uow.events.get(ticket_type.event_id) if ticket_type else None
            if ticket_type is None or event is None:
                raise TicketTypeNotFound(f"no ticket type {item.ticket_type_id}")
            if not ticket_type.sellable(event, now):
                raise NotOnSale(f"{ticket_type.name!r} is not on sale now")
            return OrderLine(
                kind=LineKind.TICKET,
                item_id=ticket_type.id,
                entity_id=ticket_type.entity_id,
                title=f"{event.title} — {ticket_type.name}",
                unit_price=ticket_type.price,
                quantity=item.quantity,
                event_id=event.id,
            )
        assert item.product_id is not None
        product = await uow.products.get(item.product_id)
        if product is not None:
            entity = await find_entity(uow, product.entity_id)
            audience = await audience_of(uow, entity, actor)
            if not product.visible_to(audience):
                product = None
        if product is None:
            raise ProductNotFound(f"no product {item.product_id}")
        if not product.is_published or product.visibility is Visibility.HIDDEN:
            raise NotOnSale(f"{product.title!r} is not for sale")
        return OrderLine(
            kind=LineKind.PRODUCT,
            item_id=product.id,
            entity_id=product.entity_id,
            title=product.title,
            unit_price=product.price,
            quantity=item.quantity,
        )

    async def _expire(self, uow: OrdersUnitOfWork, order: Order) -> None:
        order.expire(self._clock.now())
        await _release(uow, order)
        await uow.orders.update(order)


def _inventory(uow: OrdersUnitOfWork, kind: LineKind) -> Inventory:
    return uow.ticket_types if kind is LineKind.TICKET else uow.products


async def _remember_payment(uow: OrdersUnitOfWork, order: Order, payment_ref: str | None) -> None:
    """Keep the provider's payment id on an order that will not be served, so the refund
    that follows can name the payment."""
    if payment_ref:
        order.payment_ref = payment_ref
    await uow.orders.update(order)
    await uow.commit()


async def _events_still_open(uow: OrdersUnitOfWork, order: Order) -> bool:
    for event_id in {line.event_id for line in order.lines if line.event_id is not None}:
        event = await uow.events.get(event_id)
        if event is None or not event.is_open:
            return False
    return True


async def _release(uow: OrdersUnitOfWork, order: Order) -> None:
    for line in order.lines:
        await _inventory(uow, line.kind).release(line.item_id, line.quantity)
