"""Orders and tickets in memory."""

from __future__ import annotations

import copy
from datetime import datetime
from uuid import UUID

from showgeo_adapters.memory.repositories._base import (
    MemoryRepository,
    newest_first_page,
    stored_copy,
)
from showgeo_domain.orders.model import LineKind, Order, OrderStatus, Ticket
from showgeo_domain.orders.revenue import (
    EVER_PAID,
    CurrencyRevenue,
    EventRevenue,
    ProductRevenue,
    Revenue,
    line_refund,
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
from showgeo_domain.shared.pagination import Keyset, Page, PageRequest


def _matches_person(term: str | None, name: str, email: str) -> bool:
    """The SQL adapters' `lower(column) LIKE '%term%'` (the term arrives lower-cased)."""
    return term is None or term in name.lower() or term in email.lower()


class MemoryOrderRepository(MemoryRepository):
    async def add(self, order: Order) -> bool:
        """The UNIQUE (buyer_id, idempotency_key) of the SQL table; NULL keys never clash."""
        if order.idempotency_key is not None and any(
            o.buyer_id == order.buyer_id and o.idempotency_key == order.idempotency_key
            for o in self.state.orders.values()
        ):
            return False
        self.state.orders[order.id] = stored_copy(order)
        self._events.track(order)
        return True

    async def update(self, order: Order) -> None:
        if order.id in self.state.orders:
            self.state.orders[order.id] = stored_copy(order)
        self._events.track(order)

    async def get(self, order_id: UUID, *, for_update: bool = False) -> Order | None:
        """`for_update` needs nothing here: units of work already run one at a time."""
        return copy.deepcopy(self.state.orders.get(order_id))

    async def get_by_payment_ref(
        self, payment_ref: str, *, for_update: bool = False
    ) -> Order | None:
        return next(
            (copy.deepcopy(o) for o in self.state.orders.values() if o.payment_ref == payment_ref),
            None,
        )

    async def get_by_idempotency_key(self, buyer_id: UUID, key: str) -> Order | None:
        return next(
            (
                copy.deepcopy(o)
                for o in self.state.orders.values()
                if o.buyer_id == buyer_id and o.idempotency_key == key
            ),
            None,
        )

    async def list_for_buyer(self, buyer_id: UUID, page: PageRequest) -> Page[Order]:
        rows = [o for o in self.state.orders.values() if o.buyer_id == buyer_id]
        found = newest_first_page(rows, page, lambda o: Keyset(o.created_at, o.id))
        return Page([copy.deepcopy(o) for o in found.items], found.next_cursor)

    async def overdue(self, now: datetime, limit: int) -> list[UUID]:
        due = [
            o
            for o in self.state.orders.values()
            if o.status is OrderStatus.PENDING and o.expires_at <= now
        ]
        return [o.id for o in sorted(due, key=lambda o: (o.expires_at, o.id))[:limit]]

    async def paid_with_event(self, event_id: UUID) -> list[UUID]:
        found = [
            o
            for o in self.state.orders.values()
            if o.status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)
            and any(line.event_id == event_id for line in o.lines)
        ]
        return [o.id for o in sorted(found, key=lambda o: (o.created_at, o.id))]

    async def for_seller(self, scope: OrderScope, page: PageRequest) -> Page[SellerOrder]:
        found = newest_first_page(self._in_scope(scope), page, lambda o: Keyset(o.created_at, o.id))
        return Page([self._with_buyer(o) for o in found.items], found.next_cursor)

    async def seller_totals(self, scope: OrderScope) -> OrderTotals:
        matching = self._in_scope(scope)
        paid: dict[str, int] = {}
        for order in matching:
            paid[order.total.currency] = paid.get(order.total.currency, 0) + order.paid.amount
        return OrderTotals(
            count=len(matching),
            paid=[CurrencyPaid(currency, amount) for currency, amount in sorted(paid.items())],
        )

    async def seller_order(self, entity_id: UUID, order_id: UUID) -> SellerOrder | None:
        order = self.state.orders.get(order_id)
        if order is None or order.entity_id != entity_id:
            return None
        return self._with_buyer(order)

    def _with_buyer(self, order: Order) -> SellerOrder:
        buyer = self.state.users[order.buyer_id]
        return SellerOrder(copy.deepcopy(order), Buyer(buyer.display_name, buyer.email))

    def _in_scope(self, scope: OrderScope) -> list[Order]:
        f = scope.filters
        found = []
        for order in self.state.orders.values():
            lines = order.lines
            buyer = self.state.users[order.buyer_id]
            if (
                order.entity_id != scope.entity_id
                or (scope.event_id and not any(li.event_id == scope.event_id for li in lines))
                or (f.status is not None and order.status is not f.status)
                or (f.ticket_type_id and not _has(order, LineKind.TICKET, f.ticket_type_id))
                or (f.product_id and not _has(order, LineKind.PRODUCT, f.product_id))
                or (f.paid_from and (order.paid_at is None or order.paid_at < f.paid_from))
                or (f.paid_to and (order.paid_at is None or order.paid_at >= f.paid_to))
                or not _matches_person(f.search, buyer.display_name, buyer.email)
            ):
                continue
            found.append(order)
        return found

    async def revenue(self, entity_id: UUID) -> Revenue:
        """The SQL adapter's GROUP BY queries, computed the same way."""
        currencies: dict[str, list[int]] = {}
        events: dict[tuple[UUID, str], list[int]] = {}
        products: dict[tuple[UUID, str], list[int]] = {}
        for order in self.state.orders.values():
            if order.entity_id != entity_id or order.status.value not in EVER_PAID:
                continue
            currency = order.total.currency
            sums = currencies.setdefault(currency, [0, 0, 0])
            sums[0] += order.total.amount
            sums[1] += order.refunded.amount
            sums[2] += 1
            for line in order.lines:
                total = line.total.amount
                refunded = line_refund(order.refunded.amount, total, order.total.amount)
                group = events if line.kind is LineKind.TICKET else products
                item = line.event_id if line.kind is LineKind.TICKET else line.item_id
                assert item is not None
                counted = group.setdefault((item, currency), [0, 0, 0])
                counted[0] += total
                counted[1] += refunded
                counted[2] += line.quantity
        event_rows = [
            EventRevenue(
                event_id=event_id,
                title=self.state.events[event_id].title,
                currency=currency,
                gross=gross,
                refunded=refunded,
                net=gross - refunded,
                tickets_sold=sold,
            )
            for (event_id, currency), (gross, refunded, sold) in events.items()
        ]
        product_rows = [
            ProductRevenue(
                product_id=product_id,
                title=self.state.products[product_id].title,
                currency=currency,
                gross=gross,
                refunded=refunded,
                net=gross - refunded,
                units_sold=sold,
            )
            for (product_id, currency), (gross, refunded, sold) in products.items()
        ]
        return Revenue(
            currencies=[
                CurrencyRevenue(
                    currency=currency,
                    gross=gross,
                    refunded=refunded,
                    net=gross - refunded,
                    orders=count,
                )
                for currency, (gross, refunded, count) in sorted(currencies.items())
            ],
            events=sorted(event_rows, key=lambda r: (r.title, str(r.event_id), r.currency)),
            products=sorted(product_rows, key=lambda r: (r.title, str(r.product_id), r.currency)),
        )


def _has(order: Order, kind: LineKind, item_id: UUID) -> bool:
    return any(line.kind is kind and line.item_id == item_id for line in order.lines)


class MemoryTicketRepository(MemoryRepository):
    async def add_many(self, tickets: list[Ticket]) -> None:
        """All or nothing, like the SQL adapter's one INSERT; a code already taken is refused
        as the UNIQUE constraint would refuse it."""
        codes = {t.code for t in self.state.tickets.values()}
        new_codes = [t.code for t in tickets]
        if len(set(new_codes)) != len(new_codes) or codes.intersection(new_codes):
            raise ValueError("ticket codes must be unique")
        for ticket in tickets:
            self.state.tickets[ticket.id] = stored_copy(ticket)
            self._events.track(ticket)

    async def update(self, ticket: Ticket) -> None:
        if ticket.id in self.state.tickets:
            self.state.tickets[ticket.id] = stored_copy(ticket)
        self._events.track(ticket)

    async def get_by_code(self, code: str, *, for_update: bool = False) -> Ticket | None:
        return next((copy.deepcopy(t) for t in self.state.tickets.values() if t.code == code), None)

    async def list_for_order(self, order_id: UUID) -> list[Ticket]:
        rows = [t for t in self.state.tickets.values() if t.order_id == order_id]
        return [copy.deepcopy(t) for t in sorted(rows, key=lambda t: (t.issued_at, t.id))]

    async def void_for_order(
        self, order_id: UUID, at: datetime, *, event_id: UUID | None = None
    ) -> int:
        changed = 0
        for ticket in self.state.tickets.values():
            if (
                ticket.order_id == order_id
                and ticket.voided_at is None
                and (event_id is None or ticket.event_id == event_id)
            ):
                ticket.voided_at = at
                changed += 1
        return changed

    async def list_for_holder(self, holder_id: UUID, page: PageRequest) -> Page[Ticket]:
        rows = [t for t in self.state.tickets.values() if t.holder_id == holder_id]
        found = newest_first_page(rows, page, lambda t: Keyset(t.issued_at, t.id))
        return Page([copy.deepcopy(t) for t in found.items], found.next_cursor)

    async def attendees(
        self, event_id: UUID, filters: AttendeeFilters, page: PageRequest
    ) -> Page[Attendee]:
        term = filters.search
        rows = []
        for ticket in self.state.tickets.values():
            holder = self.state.users[ticket.holder_id]
            if ticket.event_id != event_id or (
                (filters.checked_in is not None)
                and (ticket.checked_in_at is not None) != filters.checked_in
            ):
                continue
            if term is not None and not (
                _matches_person(term, holder.display_name, holder.email)
                or ticket.code.lower().endswith(term)
            ):
                continue
            rows.append(ticket)
        found = newest_first_page(rows, page, lambda t: Keyset(t.issued_at, t.id))
        return Page(
            [
                Attendee(
                    copy.deepcopy(t),
                    Buyer(
                        self.state.users[t.holder_id].display_name,
                        self.state.users[t.holder_id].email,
                    ),
                    self.state.ticket_types[t.ticket_type_id].name,
                )
                for t in found.items
            ],
            found.next_cursor,
        )

    async def tally(self, event_id: UUID) -> list[TicketTally]:
        counted: dict[UUID, list[int]] = {}
        for ticket in self.state.tickets.values():
            if ticket.event_id == event_id:
                sums = counted.setdefault(ticket.ticket_type_id, [0, 0, 0])
                sums[0] += 1
                sums[1] += ticket.checked_in_at is not None
                sums[2] += ticket.voided_at is not None
        return [TicketTally(type_id, *sums) for type_id, sums in sorted(counted.items())]
