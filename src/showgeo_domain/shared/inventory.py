"""Seats and stock: what orders sell, and what events (ticket types) and the store (products)
keep. It sits in the shared kernel so the contexts that hold the counts and the one that
moves them all depend on it, and none on the other for it."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID


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
