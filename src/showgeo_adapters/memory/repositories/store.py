"""Products in memory, filtered by audience like the SQL query."""

from __future__ import annotations

import copy
from uuid import UUID

from showgeo_adapters.memory.repositories._base import (
    MemoryRepository,
    confirm_reserved,
    newest_first_page,
    release_reserved,
    reserve_within,
    stored_copy,
)
from showgeo_domain.shared.pagination import Keyset, Page, PageRequest
from showgeo_domain.store.model import Audience, Product


class MemoryProductRepository(MemoryRepository):
    async def add(self, product: Product) -> None:
        self.state.products[product.id] = stored_copy(product)
        self._events.track(product)

    async def update(self, product: Product) -> None:
        """Keeps the stored `sold`/`reserved`: only conditional updates move them."""
        stored = self.state.products.get(product.id)
        if stored is not None:
            fresh = stored_copy(product)
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
            and p.archived_at is None
            and (audience.sees_drafts or p.published_at is not None)
            and p.visibility in levels
        ]
        found = newest_first_page(rows, page, lambda p: Keyset(p.created_at, p.id))
        return Page([copy.deepcopy(p) for p in found.items], found.next_cursor)

    async def reserve(self, item_id: UUID, quantity: int) -> bool:
        found = self.state.products.get(item_id)
        return found is not None and reserve_within(found, quantity, found.stock)

    async def release(self, item_id: UUID, quantity: int) -> None:
        release_reserved(self.state.products.get(item_id), quantity)

    async def confirm(self, item_id: UUID, quantity: int) -> None:
        confirm_reserved(self.state.products.get(item_id), quantity)
