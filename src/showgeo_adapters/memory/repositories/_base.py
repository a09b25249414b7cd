"""Dictionary-backed repositories. They copy on the way in and out, as a database would, so a
caller holding an object cannot change stored state behind the unit of work's back."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from showgeo_adapters.memory.state import MemoryState
from showgeo_domain.entities.model import Entity
from showgeo_domain.events.model import Event, TicketType
from showgeo_domain.identity.model import User
from showgeo_domain.orders.model import Order, Ticket
from showgeo_domain.shared.pagination import Keyset, Page, PageRequest, page_of
from showgeo_domain.shared.unit_of_work import PendingEvents
from showgeo_domain.store.model import Product

T = TypeVar("T")


def newest_first_page(rows: Iterable[T], page: PageRequest, key: Callable[[T], Keyset]) -> Page[T]:
    """Newest first by (created_at, id), starting after the cursor's position."""
    ordered = sorted(rows, key=lambda r: (key(r).created_at, key(r).id), reverse=True)
    if page.after is not None:
        after = (page.after.created_at, page.after.id)
        ordered = [r for r in ordered if (key(r).created_at, key(r).id) < after]
    return page_of(ordered[: page.limit + 1], page, key)


A = TypeVar("A", User, Entity, Event, TicketType, Product, Order, Ticket)


def stored_copy(aggregate: A) -> A:
    """The copy kept in the store: state only. Pending events stay with the caller's object,
    which the unit of work drains at commit; stored copies carrying them would re-send them."""
    stored = copy.deepcopy(aggregate)
    stored.pending_events = []
    return stored


class MemoryRepository:
    def __init__(self, state: MemoryState, events: PendingEvents) -> None:
        self.state = state
        self._events = events


class Counted(Protocol):
    sold: int
    reserved: int


def reserve_within(item: Counted, quantity: int, capacity: int | None) -> bool:
    """The SQL adapter's conditional update, `reserved + n` only while
    `sold + reserved + n <= capacity` (None: unlimited)."""
    if capacity is not None and item.sold + item.reserved + quantity > capacity:
        return False
    item.reserved += quantity
    return True


def release_reserved(item: Counted | None, quantity: int) -> None:
    """A release of more than is held changes nothing, so `reserved` never goes negative."""
    if item is not None and item.reserved >= quantity:
        item.reserved -= quantity


def confirm_reserved(item: Counted | None, quantity: int) -> None:
    if item is not None and item.reserved >= quantity:
        item.reserved -= quantity
        item.sold += quantity
