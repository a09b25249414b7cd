"""Orders with their lines, and tickets.

An order is read with its lines in one extra query (lines of a whole page in one `IN`
query), never one query per order. Creation relies on UNIQUE (buyer_id, idempotency_key)
with `ON CONFLICT DO NOTHING`: of two concurrent retries carrying one key exactly one row
appears, and the loser learns it from the missing RETURNING row without an error that would
abort its PostgreSQL transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    and_,
    case,
    cast,
    exists,
    func,
    or_,
    select,
    true,
    update,
)

from showgeo_adapters.sqlalchemy.repositories._base import SqlRepository
from showgeo_adapters.sqlalchemy.tables import (
    events,
    order_lines,
    orders,
    products,
    ticket_types,
    tickets,
    users,
)
from showgeo_domain.orders.model import LineKind, Order, OrderLine, OrderStatus, Ticket
from showgeo_domain.orders.revenue import (
    EVER_PAID,
    CurrencyRevenue,
    EventRevenue,
    ProductRevenue,
    Revenue,
)
from showgeo_domain.orders.seller_queries import (
    Attendee,
    AttendeeFilters,
    Buyer,
    CurrencyPaid,
    OrderScope,
    OrderTotals,
    SellerOrder,
    TicketTally,
)
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import Keyset, Page, PageRequest


def _line(row: Any) -> OrderLine:
    return OrderLine(
        kind=LineKind(row.kind),
        item_id=row.item_id,
        entity_id=row.entity_id,
        title=row.title,
        unit_price=Money(row.unit_amount, row.currency),
        quantity=row.quantity,
        event_id=row.event_id,
    )


def _order(row: Any, lines: list[OrderLine]) -> Order:
    return Order(
        id=row.id,
        buyer_id=row.buyer_id,
        entity_id=row.entity_id,
        lines=lines,
        total=Money(row.total_amount, row.currency),
        status=OrderStatus(row.status),
        created_at=row.created_at,
        expires_at=row.expires_at,
        refunded=Money(row.refunded_amount, row.currency),
        idempotency_key=row.idempotency_key,
        request_fingerprint=row.request_fingerprint,
        payment_ref=row.payment_ref,
        paid_at=row.paid_at,
        closed_at=row.closed_at,
    )


def _sum(expression: ColumnElement[Any]) -> ColumnElement[int]:
    """SUM as a BIGINT (PostgreSQL widens a bigint SUM to numeric)."""
    return cast(func.coalesce(func.sum(expression), 0), BigInteger)


_LINE_TOTAL = order_lines.c.unit_amount * order_lines.c.quantity
# The order's refunds attributed to this line pro rata, floored. `//` stays integer division on
# both databases (`/` would cast to NUMERIC on PostgreSQL and round instead of flooring);
# see showgeo_domain.orders.revenue.line_refund.
_LINE_REFUNDED = case(
    (orders.c.total_amount == 0, 0),
    else_=(orders.c.refunded_amount * _LINE_TOTAL) // orders.c.total_amount,
)


def _person_matches(term: str | None) -> ColumnElement[bool]:
    """Name or email contains the (lower-cased) term; LIKE's wildcards in it match literally.
    SQLite's lower() folds ASCII letters only, so matching other letters ignores case on
    PostgreSQL and the memory fake alone."""
    if term is None:
        return true()
    return or_(
        func.lower(users.c.display_name).contains(term, autoescape=True),
        func.lower(users.c.email).contains(term, autoescape=True),
    )


def _with_line(kind: LineKind, **columns: Any) -> ColumnElement[bool]:
    conditions = [order_lines.c.order_id == orders.c.id, order_lines.c.kind == kind.value]
    conditions += [order_lines.c[name] == value for name, value in columns.items()]
    return exists().where(*conditions)


def _in_scope(scope: OrderScope) -> ColumnElement[bool]:
    """The scope as one WHERE over `orders` joined to the buyer's `users` row."""
    f = scope.filters
    conditions = [orders.c.entity_id == scope.entity_id, _person_matches(f.search)]
    if scope.event_id is not None:
        conditions.append(_with_line(LineKind.TICKET, event_id=scope.event_id))
    if f.status is not None:
        conditions.append(orders.c.status == f.status.value)
    if f.ticket_type_id is not None:
        conditions.append(_with_line(LineKind.TICKET, item_id=f.ticket_type_id))
    if f.product_id is not None:
        conditions.append(_with_line(LineKind.PRODUCT, item_id=f.product_id))
    if f.paid_from is not None:
        conditions.append(orders.c.paid_at >= f.paid_from)
    if f.paid_to is not None:
        conditions.append(orders.c.paid_at < f.paid_to)
    return and_(*conditions)


_BUYERS = orders.join(users, users.c.id == orders.c.buyer_id)


def changing_values(order: Order) -> dict[str, Any]:
    """What may change after placement; lines, buyer, total and key are fixed."""
    return {
        "status": order.status.value,
        "refunded_amount": order.refunded.amount,
        "expires_at": order.expires_at,
        "paid_at": order.paid_at,
        "closed_at": order.closed_at,
        "payment_ref": order.payment_ref,
    }


class SqlOrderRepository(SqlRepository):
    async def add(self, order: Order) -> bool:
        inserted = await self._conn.execute(
            self._insert_ignoring_conflicts(orders)
            .values(
                id=order.id,
                buyer_id=order.buyer_id,
                entity_id=order.entity_id,
                total_amount=order.total.amount,
                currency=order.total.currency,
                created_at=order.created_at,
                idempotency_key=order.idempotency_key,
                request_fingerprint=order.request_fingerprint,
                **changing_values(order),
            )
            .returning(orders.c.id)
        )
        if inserted.first() is None:
            return False
        await self._conn.execute(
            order_lines.insert().values(
                [
                    {
                        "order_id": order.id,
                        "position": position,
                        "kind": line.kind.value,
                        "item_id": line.item_id,
                        "entity_id": line.entity_id,
                        "event_id": line.event_id,
                        "title": line.title,
                        "unit_amount": line.unit_price.amount,
                        "currency": line.unit_price.currency,
                        "quantity": line.quantity,
                    }
                    for position, line in enumerate(order.lines)
                ]
            )
        )
        self._events.track(order)
        return True

    async def update(self, order: Order) -> None:
        await self._conn.execute(
            update(orders).where(orders.c.id == order.id).values(changing_values(order))
        )
        self._events.track(order)

    async def get(self, order_id: UUID, *, for_update: bool = False) -> Order | None:
        """`for_update` locks the order row (PostgreSQL `FOR UPDATE`; SQLite's
        `BEGIN IMMEDIATE` already serialises writers); its lines never change."""
        query = select(orders).where(orders.c.id == order_id)
        if for_update:
            query = query.with_for_update()
        found = await self._with_lines(query)
        return found[0] if found else None

    async def get_by_payment_ref(
        self, payment_ref: str, *, for_update: bool = False
    ) -> Order | None:
        query = select(orders).where(orders.c.payment_ref == payment_ref)
        if for_update:
            query = query.with_for_update()
        found = await self._with_lines(query.limit(1))
        return found[0] if found else None

    async def get_by_idempotency_key(self, buyer_id: UUID, key: str) -> Order | None:
        query = select(orders).where(orders.c.buyer_id == buyer_id, orders.c.idempotency_key == key)
        found = await self._with_lines(query)
        return found[0] if found else None

    async def list_for_buyer(self, buyer_id: UUID, page: PageRequest) -> Page[Order]:
        rows = await self._page(
            select(orders).where(orders.c.buyer_id == buyer_id),
            orders.c.created_at,
            orders.c.id,
            page,
            lambda row: row,
            lambda row: Keyset(row.created_at, row.id),
        )
        built = await self._attach_lines(rows.items)
        return Page(built, rows.next_cursor)

    async def overdue(self, now: datetime, limit: int) -> list[UUID]:
        """Answered from the (status, expires_at) index."""
        query = (
            select(orders.c.id)
            .where(orders.c.status == OrderStatus.PENDING.value, orders.c.expires_at <= now)
            .order_by(orders.c.expires_at, orders.c.id)
            .limit(limit)
        )
        return list((await self._conn.execute(query)).scalars())

    async def paid_with_event(self, event_id: UUID) -> list[UUID]:
        with_event = select(order_lines.c.order_id).where(order_lines.c.event_id == event_id)
        query = (
            select(orders.c.id)
            .where(
                orders.c.id.in_(with_event),
                orders.c.status.in_([OrderStatus.PAID.value, OrderStatus.PARTIALLY_REFUNDED.value]),
            )
            .order_by(orders.c.created_at, orders.c.id)
        )
        return list((await self._conn.execute(query)).scalars())

    async def revenue(self, entity_id: UUID) -> Revenue:
        """Three GROUP BY queries; the database adds everything up."""
        counted = (orders.c.entity_id == entity_id) & orders.c.status.in_(EVER_PAID)
        by_currency = (
            select(
                orders.c.currency,
                _sum(orders.c.total_amount).label("gross"),
                _sum(orders.c.refunded_amount).label("refunded"),
                func.count().label("orders"),
            )
            .where(counted)
            .group_by(orders.c.currency)
            .order_by(orders.c.currency)
        )
        lines = order_lines.join(orders, orders.c.id == order_lines.c.order_id)
        line_sums = (
            order_lines.c.currency,
            _sum(_LINE_TOTAL).label("gross"),
            _sum(_LINE_REFUNDED).label("refunded"),
            _sum(order_lines.c.quantity).label("sold"),
        )
        by_event = (
            select(order_lines.c.event_id, events.c.title, *line_sums)
            .select_from(lines.join(events, events.c.id == order_lines.c.event_id))
            .where(counted, order_lines.c.kind == LineKind.TICKET.value)
            .group_by(order_lines.c.event_id, events.c.title, order_lines.c.currency)
            .order_by(events.c.title, order_lines.c.event_id, order_lines.c.currency)
        )
        by_product = (
            select(order_lines.c.item_id, products.c.title, *line_sums)
            .select_from(lines.join(products, products.c.id == order_lines.c.item_id))
            .where(counted, order_lines.c.kind == LineKind.PRODUCT.value)
            .group_by(order_lines.c.item_id, products.c.title, order_lines.c.currency)
            .order_by(products.c.title, order_lines.c.item_id, order_lines.c.currency)
        )
        return Revenue(
            currencies=[
                CurrencyRevenue(
                    currency=row.currency,
                    gross=row.gross,
                    refunded=row.refunded,
                    net=row.gross - row.refunded,
                    orders=row.orders,
                )
                for row in await self._conn.execute(by_currency)
            ],
            events=[
                EventRevenue(
                    event_id=row.event_id,
                    title=row.title,
                    currency=row.currency,
                    gross=row.gross,
                    refunded=row.refunded,
                    net=row.gross - row.refunded,
                    tickets_sold=row.sold,
                )
                for row in await self._conn.execute(by_event)
            ],
            products=[
                ProductRevenue(
                    product_id=row.item_id,
                    title=row.title,
                    currency=row.currency,
                    gross=row.gross,
                    refunded=row.refunded,
                    net=row.gross - row.refunded,
                    units_sold=row.sold,
                )
                for row in await self._conn.execute(by_product)
            ],
        )

    async def for_seller(self, scope: OrderScope, page: PageRequest) -> Page[SellerOrder]:
        """Served by (entity_id, created_at, id); the event and item filters are EXISTS over
        order_lines' indexes."""
        query = (
            select(
                orders, users.c.display_name.label("buyer_name"), users.c.email.label("buyer_email")
            )
            .select_from(_BUYERS)
            .where(_in_scope(scope))
        )
        rows = await self._page(
            query,
            orders.c.created_at,
            orders.c.id,
            page,
            lambda row: row,
            lambda row: Keyset(row.created_at, row.id),
        )
        built = await self._attach_lines(rows.items)
        return Page(
            [
                SellerOrder(order, Buyer(row.buyer_name, row.buyer_email))
                for order, row in zip(built, rows.items, strict=True)
            ],
            rows.next_cursor,
        )

    async def seller_totals(self, scope: OrderScope) -> OrderTotals:
        paid = case(
            (orders.c.status.in_(EVER_PAID), orders.c.total_amount - orders.c.refunded_amount),
            else_=0,
        )
        query = (
            select(orders.c.currency, func.count().label("orders"), _sum(paid).label("paid"))
            .select_from(_BUYERS)
            .where(_in_scope(scope))
            .group_by(orders.c.currency)
            .order_by(orders.c.currency)
        )
        rows = (await self._conn.execute(query)).all()
        return OrderTotals(
            count=sum(row.orders for row in rows),
            paid=[CurrencyPaid(row.currency, row.paid) for row in rows],
        )

    async def seller_order(self, entity_id: UUID, order_id: UUID) -> SellerOrder | None:
        query = (
            select(
                orders, users.c.display_name.label("buyer_name"), users.c.email.label("buyer_email")
            )
            .select_from(_BUYERS)
            .where(orders.c.id == order_id, orders.c.entity_id == entity_id)
        )
        row = (await self._conn.execute(query)).first()
        if row is None:
            return None
        (order,) = await self._attach_lines([row])
        return SellerOrder(order, Buyer(row.buyer_name, row.buyer_email))

    async def _with_lines(self, query: Select[Any]) -> list[Order]:
        rows = (await self._conn.execute(query)).all()
        return await self._attach_lines(rows)

    async def _attach_lines(self, rows: Sequence[Any]) -> list[Order]:
        if not rows:
            return []
        lines: dict[UUID, list[OrderLine]] = {row.id: [] for row in rows}
        query = (
            select(order_lines)
            .where(order_lines.c.order_id.in_(list(lines)))
            .order_by(order_lines.c.order_id, order_lines.c.position)
        )
        for line in await self._conn.execute(query):
            lines[line.order_id].append(_line(line))
        return [_order(row, lines[row.id]) for row in rows]


def _ticket(row: Any) -> Ticket:
    return Ticket(
        id=row.id,
        order_id=row.order_id,
        ticket_type_id=row.ticket_type_id,
        event_id=row.event_id,
        holder_id=row.holder_id,
        code=row.code,
        issued_at=row.issued_at,
        checked_in_at=row.checked_in_at,
        voided_at=row.voided_at,
    )


class SqlTicketRepository(SqlRepository):
    async def add_many(self, new: list[Ticket]) -> None:
        """One multi-row INSERT for the whole order, however many seats."""
        if not new:
            return
        await self._conn.execute(
            tickets.insert().values(
                [
                    {
                        "id": t.id,
                        "order_id": t.order_id,
                        "ticket_type_id": t.ticket_type_id,
                        "event_id": t.event_id,
                        "holder_id": t.holder_id,
                        "code": t.code,
                        "issued_at": t.issued_at,
                        "checked_in_at": t.checked_in_at,
                        "voided_at": t.voided_at,
                    }
                    for t in new
                ]
            )
        )
        for ticket in new:
            self._events.track(ticket)

    async def update(self, ticket: Ticket) -> None:
        """Only check-in and voiding change a ticket."""
        await self._conn.execute(
            update(tickets)
            .where(tickets.c.id == ticket.id)
            .values(checked_in_at=ticket.checked_in_at, voided_at=ticket.voided_at)
        )
        self._events.track(ticket)

    async def get_by_code(self, code: str, *, for_update: bool = False) -> Ticket | None:
        """`for_update` serialises two scanners at two doors on PostgreSQL, so a ticket is
        checked in once; SQLite's `BEGIN IMMEDIATE` already does."""
        query = select(tickets).where(tickets.c.code == code)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return _ticket(row) if row else None

    async def list_for_order(self, order_id: UUID) -> list[Ticket]:
        query = (
            select(tickets)
            .where(tickets.c.order_id == order_id)
            .order_by(tickets.c.issued_at, tickets.c.id)
        )
        return [_ticket(row) for row in await self._conn.execute(query)]

    async def void_for_order(
        self, order_id: UUID, at: datetime, *, event_id: UUID | None = None
    ) -> int:
        """One UPDATE of the order's still-valid tickets."""
        query = update(tickets).where(tickets.c.order_id == order_id, tickets.c.voided_at.is_(None))
        if event_id is not None:
            query = query.where(tickets.c.event_id == event_id)
        result = await self._conn.execute(query.values(voided_at=at))
        return int(result.rowcount)

    async def list_for_holder(self, holder_id: UUID, page: PageRequest) -> Page[Ticket]:
        return await self._page(
            select(tickets).where(tickets.c.holder_id == holder_id),
            tickets.c.issued_at,
            tickets.c.id,
            page,
            _ticket,
            lambda t: Keyset(t.issued_at, t.id),
        )

    async def attendees(
        self, event_id: UUID, filters: AttendeeFilters, page: PageRequest
    ) -> Page[Attendee]:
        """Served by (event_id, issued_at, id)."""
        conditions: list[ColumnElement[bool]] = [tickets.c.event_id == event_id]
        if filters.checked_in is not None:
            checked = tickets.c.checked_in_at.is_not(None)
            conditions.append(checked if filters.checked_in else ~checked)
        if filters.search is not None:
            conditions.append(
                or_(
                    _person_matches(filters.search),
                    func.lower(tickets.c.code).endswith(filters.search, autoescape=True),
                )
            )
        query = (
            select(
                tickets,
                users.c.display_name.label("holder_name"),
                users.c.email.label("holder_email"),
                ticket_types.c.name.label("ticket_type_name"),
            )
            .select_from(
                tickets.join(users, users.c.id == tickets.c.holder_id).join(
                    ticket_types, ticket_types.c.id == tickets.c.ticket_type_id
                )
            )
            .where(*conditions)
        )
        return await self._page(
            query,
            tickets.c.issued_at,
            tickets.c.id,
            page,
            lambda row: Attendee(
                _ticket(row), Buyer(row.holder_name, row.holder_email), row.ticket_type_name
            ),
            lambda a: Keyset(a.ticket.issued_at, a.ticket.id),
        )

    async def tally(self, event_id: UUID) -> list[TicketTally]:
        query = (
            select(
                tickets.c.ticket_type_id,
                func.count().label("issued"),
                func.count(tickets.c.checked_in_at).label("checked_in"),
                func.count(tickets.c.voided_at).label("voided"),
            )
            .where(tickets.c.event_id == event_id)
            .group_by(tickets.c.ticket_type_id)
            .order_by(tickets.c.ticket_type_id)
        )
        return [
            TicketTally(row.ticket_type_id, row.issued, row.checked_in, row.voided)
            for row in await self._conn.execute(query)
        ]
