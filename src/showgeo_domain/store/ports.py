from __future__ import annotations

from typing import Protocol
from uuid import UUID

from showgeo_domain.assets.ports import AssetsUnitOfWork
from showgeo_domain.shared.inventory import Inventory
from showgeo_domain.shared.pagination import Page, PageRequest
from showgeo_domain.store.model import Audience, Product


class ProductRepository(Inventory, Protocol):
    async def add(self, product: Product) -> None: ...

    async def update(self, product: Product) -> None:
        """Writes everything but `sold`/`reserved`, which only conditional updates move."""
        ...

    async def get(self, product_id: UUID, *, for_update: bool = False) -> Product | None: ...

    async def list_for_entity(
        self, entity_id: UUID, audience: Audience, page: PageRequest
    ) -> Page[Product]:
        """Newest first, only what `audience` may see and never archived products (filtered
        in the query, so pages stay full and nothing hidden is ever loaded)."""
        ...


class StoreUnitOfWork(AssetsUnitOfWork, Protocol):
    """What the store use cases need: products, the follows that decide their audience, and
    the assets a product links to (`check_linkable`)."""

    products: ProductRepository
