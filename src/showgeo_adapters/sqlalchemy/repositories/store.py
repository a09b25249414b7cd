"""Store products. Visibility is filtered in SQL, so a page is always full of rows the viewer
may see and hidden products are never loaded for someone who may not see them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, or_, select, update

from showgeo_adapters.sqlalchemy.repositories._base import SqlInventory
from showgeo_adapters.sqlalchemy.tables import products
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import Keyset, Page, PageRequest
from showgeo_domain.store.model import Audience, Product, ProductKind, Visibility


def _product(row: Any) -> Product:
    return Product(
        id=row.id,
        entity_id=row.entity_id,
        title=row.title,
        description=row.description,
        kind=ProductKind(row.kind),
        price=Money(row.price_amount, row.price_currency),
        stock=row.stock,
        sold=row.sold,
        reserved=row.reserved,
        visibility=Visibility(row.visibility),
        asset_id=row.asset_id,
        published_at=row.published_at,
        archived_at=row.archived_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _product_values(product: Product) -> dict[str, Any]:
    """Everything but `sold`/`reserved`, which only conditional updates move."""
    return {
        "id": product.id,
        "entity_id": product.entity_id,
        "title": product.title,
        "description": product.description,
        "kind": product.kind.value,
        "price_amount": product.price.amount,
        "price_currency": product.price.currency,
        "stock": product.stock,
        "visibility": product.visibility.value,
        "asset_id": product.asset_id,
        "published_at": product.published_at,
        "archived_at": product.archived_at,
        "created_at": product.created_at,
        "updated_at": product.updated_at,
    }


class SqlProductRepository(SqlInventory):
    _table = products

    def _within_capacity(self, quantity: int) -> ColumnElement[bool]:
        p = products.c
        return or_(p.stock.is_(None), p.sold + p.reserved + quantity <= p.stock)

    async def add(self, product: Product) -> None:
        values = _product_values(product) | {"sold": product.sold, "reserved": product.reserved}
        await self._conn.execute(products.insert().values(values))
        self._events.track(product)

    async def update(self, product: Product) -> None:
        """A stock below what is sold and held fails the `within_stock` CHECK; the domain
        refuses it first, from the copy it loaded under the row lock."""
        values = _product_values(product)
        del values["id"], values["entity_id"], values["created_at"]
        await self._conn.execute(update(products).where(products.c.id == product.id).values(values))
        self._events.track(product)

    async def get(self, product_id: UUID, *, for_update: bool = False) -> Product | None:
        """`for_update` is `SELECT ... FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE`
        already serialises writers."""
        query = select(products).where(products.c.id == product_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return _product(row) if row else None

    async def list_for_entity(
        self, entity_id: UUID, audience: Audience, page: PageRequest
    ) -> Page[Product]:
        query = select(products).where(
            products.c.entity_id == entity_id,
            products.c.archived_at.is_(None),
            products.c.visibility.in_(sorted(v.value for v in audience.visible_levels())),
        )
        if not audience.sees_drafts:
            query = query.where(products.c.published_at.is_not(None))
        return await self._page(
            query,
            products.c.created_at,
            products.c.id,
            page,
            _product,
            lambda p: Keyset(p.created_at, p.id),
        )
