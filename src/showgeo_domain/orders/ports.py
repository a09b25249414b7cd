"""What the orders context needs from storage (payments come through their own port)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from showgeo_domain.orders.model import Order, Ticket
from showgeo_domain.shared.pagination import Page, PageRequest


class OrderRepository(Protocol):
    async def add(self, order: Order) -> bool:
        """False, storing nothing, when the buyer already has an order with this
        idempotency key (a concurrent retry won the race)."""
        ...

    async def update(self, order: Order) -> None: ...

    async def get(self, order_id: UUID, *, for_update: bool = False) -> Order | None: ...

    async def get_by_idempotency_key(self, buyer_id: UUID, key: str) -> Order | None: ...

    async def list_for_buyer(self, buyer_id: UUID, page: PageRequest) -> Page[Order]:
        """Newest first."""
        ...

    async def overdue(self, now: datetime, limit: int) -> list[UUID]:
        """PENDING orders whose reservation has run out, oldest first."""
        ...


class TicketRepository(Protocol):
    async def add_many(self, tickets: list[Ticket]) -> None: ...

    async def update(self, ticket: Ticket) -> None: ...

    async def get_by_code(self, code: str, *, for_update: bool = False) -> Ticket | None: ...

    async def list_for_order(self, order_id: UUID) -> list[Ticket]: ...

    async def list_for_holder(self, holder_id: UUID, page: PageRequest) -> Page[Ticket]:
        """Newest first."""
        ...


class Inventory(Protocol):
    """Seats and stock, moved only by conditional updates so no two buyers get the last unit:
    `reserve` succeeds only while `sold + reserved + quantity <= quota` (or stock)."""

    async def reserve(self, item_id: UUID, quantity: int) -> bool: ...

    async def release(self, item_id: UUID, quantity: int) -> None:
        """Give back a reservation (expiry, cancellation)."""
        ...

    async def confirm(self, item_id: UUID, quantity: int) -> None:
        """Turn a reservation into a sale (payment)."""
        ...
