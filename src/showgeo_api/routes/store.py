"""Store: an entity's products, their drafts, visibility, publishing (drops), unpublishing and
archiving."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from msgspec import UNSET, Meta, UnsetType

from showgeo_api.routes.schemas import MoneyIn, MoneyOut, PageOut
from showgeo_domain.identity.model import Actor
from showgeo_domain.shared.pagination import PageRequest
from showgeo_domain.store.model import (
    DESCRIPTION_MAX,
    MAX_STOCK,
    TITLE_MAX,
    Product,
    ProductKind,
    Visibility,
)
from showgeo_domain.store.services import ProductChanges, ProductDetails, Store

EntityRef = Annotated[str, Meta(min_length=1, max_length=64)]
Title = Annotated[str, Meta(min_length=1, max_length=TITLE_MAX)]
Description = Annotated[str, Meta(max_length=DESCRIPTION_MAX)]
Stock = Annotated[int, Meta(ge=0, le=MAX_STOCK, description="units; absent or null: unlimited")]


class ProductIn(msgspec.Struct):
    title: Title
    kind: ProductKind
    price: MoneyIn
    visibility: Visibility
    description: Description | None = None
    stock: Stock | None = None
    asset_id: UUID | None = None


class ProductPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields present change; `null` clears the description and makes stock
    unlimited. `kind` and `asset_id` are fixed at creation."""

    title: Title | UnsetType = UNSET
    description: Description | UnsetType | None = UNSET
    price: MoneyIn | UnsetType = UNSET
    stock: Stock | UnsetType | None = UNSET
    visibility: Visibility | UnsetType = UNSET

    def to_changes(self) -> ProductChanges:
        """What `Store.update` takes: absent fields stay, `null` ones are cleared."""
        return ProductChanges(
            title=None if self.title is UNSET else self.title,
            description=None if self.description is UNSET else self.description,
            clear_description=self.description is None,
            price=self.price.to_money() if isinstance(self.price, MoneyIn) else None,
            stock=None if self.stock is UNSET else self.stock,
            unlimited_stock=self.stock is None,
            visibility=None if self.visibility is UNSET else self.visibility,
        )


class ProductOut(msgspec.Struct):
    id: UUID
    entity_id: UUID
    title: str
    description: str | None
    kind: str
    price: MoneyOut
    visibility: str
    stock: int | None
    sold: int
    reserved: int
    available: int | None
    asset_id: UUID | None
    published: bool
    published_at: datetime | None
    archived: bool
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, product: Product) -> ProductOut:
        return cls(
            id=product.id,
            entity_id=product.entity_id,
            title=product.title,
            description=product.description,
            kind=product.kind.value,
            price=MoneyOut.of(product.price),
            visibility=product.visibility.value,
            stock=product.stock,
            sold=product.sold,
            reserved=product.reserved,
            available=product.available,
            asset_id=product.asset_id,
            published=product.is_published,
            published_at=product.published_at,
            archived=product.is_archived,
            archived_at=product.archived_at,
            created_at=product.created_at,
            updated_at=product.updated_at,
        )


class EntityProductsController(Controller):
    path = "/entities/{ref:str}/products"
    tags = ["store"]

    @post("/", status_code=201, security=[{"BearerToken": []}])
    async def create(
        self,
        ref: EntityRef,
        data: JSONBody[ProductIn],
        actor: NamedDependency[Actor],
        store: NamedDependency[Store],
    ) -> ProductOut:
        """A draft: nobody outside the team sees it until it is published."""
        details = ProductDetails(
            title=data.title,
            kind=data.kind,
            price=data.price.to_money(),
            visibility=data.visibility,
            description=data.description,
            stock=data.stock,
            asset_id=data.asset_id,
        )
        return ProductOut.of(await store.create(actor, ref, details))

    @get("/")
    async def list_for_entity(
        self,
        ref: EntityRef,
        viewer: NamedDependency[Actor | None],
        page: NamedDependency[PageRequest],
        store: NamedDependency[Store],
    ) -> PageOut[ProductOut]:
        """Newest first, only what the viewer may see."""
        found = await store.list_for_entity(ref, viewer, page)
        return PageOut([ProductOut.of(p) for p in found.items], found.next_cursor)


class ProductsController(Controller):
    path = "/products"
    tags = ["store"]

    @get("/{product_id:uuid}")
    async def read(
        self,
        product_id: FromPath[UUID],
        viewer: NamedDependency[Actor | None],
        store: NamedDependency[Store],
    ) -> ProductOut:
        return ProductOut.of(await store.get(product_id, viewer))

    @patch("/{product_id:uuid}", security=[{"BearerToken": []}])
    async def update(
        self,
        product_id: FromPath[UUID],
        data: JSONBody[ProductPatch],
        actor: NamedDependency[Actor],
        store: NamedDependency[Store],
    ) -> ProductOut:
        return ProductOut.of(await store.update(actor, product_id, data.to_changes()))

    @post("/{product_id:uuid}/publish", status_code=200, security=[{"BearerToken": []}])
    async def publish(
        self,
        product_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        store: NamedDependency[Store],
    ) -> ProductOut:
        """Publishing is the drop: followers allowed to see the product are told."""
        return ProductOut.of(await store.publish(actor, product_id))

    @post("/{product_id:uuid}/unpublish", status_code=200, security=[{"BearerToken": []}])
    async def unpublish(
        self,
        product_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        store: NamedDependency[Store],
    ) -> ProductOut:
        """Back to a draft: off sale and seen only by the team; 409 `not_published` for a
        draft. Publishing it again is a new drop."""
        return ProductOut.of(await store.unpublish(actor, product_id))

    @post("/{product_id:uuid}/archive", status_code=200, security=[{"BearerToken": []}])
    async def archive(
        self,
        product_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        store: NamedDependency[Store],
    ) -> ProductOut:
        """Withdraw it for good: out of every list and sale, still readable by the team, and
        orders that hold it keep their line. Products are archived, never deleted; 409
        `product_archived` for one archived already (or any later change)."""
        return ProductOut.of(await store.archive(actor, product_id))
