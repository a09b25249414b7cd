"""Dictionary-backed repositories. They copy on the way in and out, as a database would, so a
caller holding an object cannot change stored state behind the unit of work's back."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar
from uuid import UUID

from showgeo_adapters.memory.store import MemoryState
from showgeo_domain.entities.errors import EntityHasOrders, SlugTaken
from showgeo_domain.entities.model import Entity, Membership
from showgeo_domain.entities.ports import EntitySearch
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
from showgeo_domain.follow.model import Follow
from showgeo_domain.identity.errors import EmailTaken, UsernameTaken
from showgeo_domain.identity.model import RefreshFamily, RefreshToken, User
from showgeo_domain.orders.model import LineKind, Order, OrderStatus, Ticket
from showgeo_domain.orders.revenue import (
    EVER_PAID,
    CurrencyRevenue,
    EventRevenue,
    ProductRevenue,
    Revenue,
    line_refund,
)
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.pagination import Keyset, Page, PageRequest, page_of
from showgeo_domain.shared.unit_of_work import EventCollector
from showgeo_domain.store.model import Audience, Product

T = TypeVar("T")


def _page(rows: Iterable[T], page: PageRequest, key: Callable[[T], Keyset]) -> Page[T]:
    """Newest first by (created_at, id), starting after the cursor's position."""
    ordered = sorted(rows, key=lambda r: (key(r).created_at, key(r).id), reverse=True)
    if page.after is not None:
        after = (page.after.created_at, page.after.id)
        ordered = [r for r in ordered if (key(r).created_at, key(r).id) < after]
    return page_of(ordered[: page.limit + 1], page, key)


A = TypeVar("A", User, Entity, Event, TicketType, Product, Order, Ticket)


def _stored(aggregate: A) -> A:
    """The copy kept in the store: state only. Pending events stay with the caller's object,
    which the unit of work drains at commit; stored copies carrying them would re-send them."""
    stored = copy.deepcopy(aggregate)
    stored.pending_events = []
    return stored


class _Repository:
    def __init__(self, state: MemoryState, events: EventCollector) -> None:
        self.state = state
        self._events = events


class MemoryUserRepository(_Repository):
    async def add(self, user: User) -> None:
        for other in self.state.users.values():
            if other.email == user.email:
                raise EmailTaken("an account with this email exists", field="email")
            if other.username == user.username:
                raise UsernameTaken("this username is taken", field="username")
        self.state.users[user.id] = _stored(user)
        self._events.track(user)

    async def update(self, user: User) -> None:
        self.state.users[user.id] = _stored(user)
        self._events.track(user)

    async def get(self, user_id: UUID) -> User | None:
        return copy.deepcopy(self.state.users.get(user_id))

    async def get_by_email(self, email: str) -> User | None:
        return next((copy.deepcopy(u) for u in self.state.users.values() if u.email == email), None)

    async def get_by_username(self, username: str) -> User | None:
        return next(
            (copy.deepcopy(u) for u in self.state.users.values() if u.username == username),
            None,
        )

    async def get_many(self, user_ids: Sequence[UUID]) -> dict[UUID, User]:
        return {i: copy.deepcopy(self.state.users[i]) for i in user_ids if i in self.state.users}


class MemoryRefreshTokenRepository(_Repository):
    async def add_family(self, family: RefreshFamily) -> None:
        self.state.refresh_families[family.id] = copy.copy(family)

    async def get_family(self, family_id: UUID) -> RefreshFamily | None:
        return copy.copy(self.state.refresh_families.get(family_id))

    async def revoke_family(self, family_id: UUID, at: datetime) -> None:
        family = self.state.refresh_families.get(family_id)
        if family is not None and family.revoked_at is None:
            family.revoked_at = at

    async def add(self, token: RefreshToken) -> None:
        self.state.refresh_tokens[token.id] = copy.copy(token)

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None:
        return next(
            (
                copy.copy(t)
                for t in self.state.refresh_tokens.values()
                if t.token_hash == token_hash
            ),
            None,
        )

    async def mark_used(self, token_id: UUID, at: datetime) -> bool:
        token = self.state.refresh_tokens.get(token_id)
        if token is None or token.used_at is not None:
            return False
        token.used_at = at
        return True


class MemoryEntityRepository(_Repository):
    def _out(self, entity: Entity) -> Entity:
        found = copy.deepcopy(entity)
        found.follower_count = sum(
            1 for (_, entity_id) in self.state.follows if entity_id == entity.id
        )
        return found

    def _check_slug(self, entity: Entity) -> None:
        if any(e.slug == entity.slug and e.id != entity.id for e in self.state.entities.values()):
            raise SlugTaken("this slug is taken", field="slug")

    async def add(self, entity: Entity) -> None:
        self._check_slug(entity)
        self.state.entities[entity.id] = _stored(entity)
        self._events.track(entity)

    async def update(self, entity: Entity) -> None:
        self._check_slug(entity)
        self.state.entities[entity.id] = _stored(entity)
        self._events.track(entity)

    async def delete(self, entity_id: UUID) -> None:
        """Everything the entity owns goes with it, as ON DELETE CASCADE does in SQL; but
        an entity that has sold something is refused, as the SQL adapter refuses it (orders
        are financial records, kept by ON DELETE RESTRICT)."""
        state = self.state
        if any(o.entity_id == entity_id for o in state.orders.values()):
            raise EntityHasOrders("an entity with orders cannot be deleted")
        state.entities.pop(entity_id, None)
        for key in [k for k in state.memberships if k[0] == entity_id]:
            del state.memberships[key]
        for key in [k for k in state.follows if k[1] == entity_id]:
            del state.follows[key]
        gone = {i for i, e in state.events.items() if e.entity_id == entity_id}
        state.events = {i: e for i, e in state.events.items() if i not in gone}
        state.ticket_types = {i: t for i, t in state.ticket_types.items() if t.event_id not in gone}
        state.products = {i: p for i, p in state.products.items() if p.entity_id != entity_id}

    async def get(self, entity_id: UUID, *, for_update: bool = False) -> Entity | None:
        entity = self.state.entities.get(entity_id)
        return self._out(entity) if entity else None

    async def get_by_slug(self, slug: str) -> Entity | None:
        return next((self._out(e) for e in self.state.entities.values() if e.slug == slug), None)

    async def get_many(self, entity_ids: Sequence[UUID]) -> dict[UUID, Entity]:
        return {
            i: self._out(self.state.entities[i]) for i in entity_ids if i in self.state.entities
        }

    async def search(self, search: EntitySearch, page: PageRequest) -> Page[Entity]:
        q = search.q.lower() if search.q else None
        rows = [
            e
            for e in self.state.entities.values()
            if (q is None or q in e.name.lower() or q in e.slug)
            and (search.kind is None or e.kind is search.kind)
            and (search.verified is None or e.verified is search.verified)
        ]
        found = _page(rows, page, lambda e: Keyset(e.created_at, e.id))
        return Page([self._out(e) for e in found.items], found.next_cursor)


class MemoryMembershipRepository(_Repository):
    async def list_for_entity(self, entity_id: UUID) -> list[Membership]:
        rows = [copy.copy(m) for (e, _), m in self.state.memberships.items() if e == entity_id]
        return sorted(rows, key=lambda m: (m.created_at, m.user_id))

    async def list_for_user(self, user_id: UUID, page: PageRequest) -> Page[Membership]:
        rows = [copy.copy(m) for (_, u), m in self.state.memberships.items() if u == user_id]
        return _page(rows, page, lambda m: Keyset(m.created_at, m.entity_id))

    async def get(self, entity_id: UUID, user_id: UUID) -> Membership | None:
        return copy.copy(self.state.memberships.get((entity_id, user_id)))

    async def add(self, membership: Membership) -> None:
        self.state.memberships[(membership.entity_id, membership.user_id)] = copy.copy(membership)

    async def update(self, membership: Membership) -> None:
        key = (membership.entity_id, membership.user_id)
        if key in self.state.memberships:
            self.state.memberships[key] = copy.copy(membership)

    async def remove(self, entity_id: UUID, user_id: UUID) -> None:
        self.state.memberships.pop((entity_id, user_id), None)


class MemoryFollowRepository(_Repository):
    async def add(self, user_id: UUID, entity_id: UUID, at: datetime) -> bool:
        if (user_id, entity_id) in self.state.follows:
            return False
        self.state.follows[(user_id, entity_id)] = Follow(user_id, entity_id, at)
        return True

    async def remove(self, user_id: UUID, entity_id: UUID) -> bool:
        return self.state.follows.pop((user_id, entity_id), None) is not None

    async def is_following(self, user_id: UUID, entity_id: UUID) -> bool:
        return (user_id, entity_id) in self.state.follows

    async def follower_count(self, entity_id: UUID) -> int:
        return sum(1 for (_, e) in self.state.follows if e == entity_id)

    async def list_followers(self, entity_id: UUID, page: PageRequest) -> Page[Follow]:
        rows = [f for f in self.state.follows.values() if f.entity_id == entity_id]
        return _page(rows, page, Follow.follower_key)

    async def list_following(self, user_id: UUID, page: PageRequest) -> Page[Follow]:
        rows = [f for f in self.state.follows.values() if f.user_id == user_id]
        return _page(rows, page, Follow.following_key)


def _position_for(query: EventQuery) -> ByStart | ByDistance | None:
    """The cursor's position, which must be of the kind this query sorts by: a cursor from a
    "soonest first" list means nothing in a "nearest first" one."""
    expected = ByStart if query.near is None else ByDistance
    if query.after is not None and not isinstance(query.after, expected):
        raise InvalidInput("cursor is not one this API issued", field="cursor")
    return query.after


class MemoryEventRepository(_Repository):
    async def add(self, event: Event) -> None:
        self.state.events[event.id] = _stored(event)
        self._events.track(event)

    async def update(self, event: Event) -> None:
        if event.id in self.state.events:
            self.state.events[event.id] = _stored(event)
        self._events.track(event)

    async def get(self, event_id: UUID, *, for_update: bool = False) -> Event | None:
        """`for_update` needs nothing here: units of work already run one at a time."""
        return copy.deepcopy(self.state.events.get(event_id))

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


class MemoryTicketTypeRepository(_Repository):
    async def add(self, ticket_type: TicketType) -> None:
        self.state.ticket_types[ticket_type.id] = _stored(ticket_type)
        self._events.track(ticket_type)

    async def get(self, ticket_type_id: UUID) -> TicketType | None:
        return copy.deepcopy(self.state.ticket_types.get(ticket_type_id))

    async def list_for_event(self, event_id: UUID) -> list[TicketType]:
        rows = [t for t in self.state.ticket_types.values() if t.event_id == event_id]
        return [copy.deepcopy(t) for t in sorted(rows, key=lambda t: (t.created_at, t.id))]

    async def reserve(self, item_id: UUID, quantity: int) -> bool:
        found = self.state.ticket_types.get(item_id)
        return found is not None and _reserve(found, quantity, found.quota)

    async def release(self, item_id: UUID, quantity: int) -> None:
        _release(self.state.ticket_types.get(item_id), quantity)

    async def confirm(self, item_id: UUID, quantity: int) -> None:
        _confirm(self.state.ticket_types.get(item_id), quantity)


class MemoryProductRepository(_Repository):
    async def add(self, product: Product) -> None:
        self.state.products[product.id] = _stored(product)
        self._events.track(product)

    async def update(self, product: Product) -> None:
        """Keeps the stored `sold`/`reserved`: only conditional updates move them."""
        stored = self.state.products.get(product.id)
        if stored is not None:
            fresh = _stored(product)
            fresh.sold, fresh.reserved = stored.sold, stored.reserved
            self.state.products[product.id] = fresh
        self._events.track(product)

    async def get(self, product_id: UUID, *, for_update: bool = False) -> Product | None:
        return copy.deepcopy(self.state.products.get(product_id))

    async def list_for_entity(
        self, entity_id: UUID, audience: Audience, page: PageRequest
    ) -> Page[Product]:
        levels = audience.visible_levels()
        rows = [
            p
            for p in self.state.products.values()
            if p.entity_id == entity_id
            and (audience.sees_drafts or p.published_at is not None)
            and p.visibility in levels
        ]
        found = _page(rows, page, lambda p: Keyset(p.created_at, p.id))
        return Page([copy.deepcopy(p) for p in found.items], found.next_cursor)

    async def reserve(self, item_id: UUID, quantity: int) -> bool:
        found = self.state.products.get(item_id)
        return found is not None and _reserve(found, quantity, found.stock)

    async def release(self, item_id: UUID, quantity: int) -> None:
        _release(self.state.products.get(item_id), quantity)

    async def confirm(self, item_id: UUID, quantity: int) -> None:
        _confirm(self.state.products.get(item_id), quantity)


class _Counted(Protocol):
    sold: int
    reserved: int


def _reserve(item: _Counted, quantity: int, capacity: int | None) -> bool:
    """The SQL adapter's conditional update, `reserved + n` only while
    `sold + reserved + n <= capacity` (None: unlimited)."""
    if capacity is not None and item.sold + item.reserved + quantity > capacity:
        return False
    item.reserved += quantity
    return True


def _release(item: _Counted | None, quantity: int) -> None:
    """A release of more than is held changes nothing, so `reserved` never goes negative."""
    if item is not None and item.reserved >= quantity:
        item.reserved -= quantity


def _confirm(item: _Counted | None, quantity: int) -> None:
    if item is not None and item.reserved >= quantity:
        item.reserved -= quantity
        item.sold += quantity


class MemoryOrderRepository(_Repository):
    async def add(self, order: Order) -> bool:
        """The UNIQUE (buyer_id, idempotency_key) of the SQL table; NULL keys never clash."""
        if order.idempotency_key is not None and any(
            o.buyer_id == order.buyer_id and o.idempotency_key == order.idempotency_key
            for o in self.state.orders.values()
        ):
            return False
        self.state.orders[order.id] = _stored(order)
        self._events.track(order)
        return True

    async def update(self, order: Order) -> None:
        if order.id in self.state.orders:
            self.state.orders[order.id] = _stored(order)
        self._events.track(order)

    async def get(self, order_id: UUID, *, for_update: bool = False) -> Order | None:
        """`for_update` needs nothing here: units of work already run one at a time."""
        return copy.deepcopy(self.state.orders.get(order_id))

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
        found = _page(rows, page, lambda o: Keyset(o.created_at, o.id))
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


class MemoryTicketRepository(_Repository):
    async def add_many(self, tickets: list[Ticket]) -> None:
        """All or nothing, like the SQL adapter's one INSERT; a code already taken is refused
        as the UNIQUE constraint would refuse it."""
        codes = {t.code for t in self.state.tickets.values()}
        new_codes = [t.code for t in tickets]
        if len(set(new_codes)) != len(new_codes) or codes.intersection(new_codes):
            raise ValueError("ticket codes must be unique")
        for ticket in tickets:
            self.state.tickets[ticket.id] = _stored(ticket)
            self._events.track(ticket)

    async def update(self, ticket: Ticket) -> None:
        if ticket.id in self.state.tickets:
            self.state.tickets[ticket.id] = _stored(ticket)
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
        found = _page(rows, page, lambda t: Keyset(t.issued_at, t.id))
        return Page([copy.deepcopy(t) for t in found.items], found.next_cursor)
