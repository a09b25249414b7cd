"""Store use cases. Reads go through `Audience` so visibility holds on every path."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from showgeo_domain.assets.services import check_linkable
from showgeo_domain.entities.model import Entity
from showgeo_domain.entities.policy import EntityPermission
from showgeo_domain.entities.services import find_entity, require_permission, role_of
from showgeo_domain.identity.model import Actor
from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import Page, PageRequest
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory
from showgeo_domain.store.errors import ProductNotFound
from showgeo_domain.store.model import Audience, Product, ProductKind, Visibility
from showgeo_domain.store.ports import StoreUnitOfWork


@dataclass(frozen=True, slots=True)
class ProductDetails:
    title: str
    kind: ProductKind
    price: Money
    visibility: Visibility
    description: str | None = None
    stock: int | None = None
    asset_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class ProductChanges:
    title: str | None = None
    description: str | None = None
    clear_description: bool = False
    price: Money | None = None
    stock: int | None = None
    unlimited_stock: bool = False
    visibility: Visibility | None = None


async def audience_of(uow: StoreUnitOfWork, entity: Entity, viewer: Actor | None) -> Audience:
    """Members, and platform admins (moderation), see everything; followers see more than
    strangers."""
    if viewer is None:
        return Audience()
    if viewer.is_admin or await role_of(uow, entity.id, viewer) is not None:
        return Audience(is_member=True)
    return Audience(is_follower=await uow.follows.is_following(viewer.user_id, entity.id))


class Store:
    def __init__(self, uow: UnitOfWorkFactory[StoreUnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def create(
        self, actor: Actor, entity_ref: str | UUID, details: ProductDetails
    ) -> Product:
        async with self._uow() as uow:
            entity = await find_entity(uow, entity_ref)
            await require_permission(uow, entity, actor, EntityPermission.MANAGE_STORE)
            if details.asset_id is not None:
                await check_linkable(uow, details.asset_id, entity.id, "asset_id")
            product = Product.create(
                entity_id=entity.id,
                title=details.title,
                kind=details.kind,
                price=details.price,
                visibility=details.visibility,
                description=details.description,
                stock=details.stock,
                asset_id=details.asset_id,
                now=self._clock.now(),
            )
            await uow.products.add(product)
            await uow.commit()
            return product

    async def get(self, product_id: UUID, viewer: Actor | None) -> Product:
        async with self._uow() as uow:
            return await self._visible(uow, product_id, viewer)

    async def list_for_entity(
        self, entity_ref: str | UUID, viewer: Actor | None, page: PageRequest
    ) -> Page[Product]:
        async with self._uow() as uow:
            entity = await find_entity(uow, entity_ref)
            audience = await audience_of(uow, entity, viewer)
            return await uow.products.list_for_entity(entity.id, audience, page)

    async def update(self, actor: Actor, product_id: UUID, changes: ProductChanges) -> Product:
        async with self._uow() as uow:
            product = await self._managed(uow, product_id, actor)
            product.update(
                now=self._clock.now(),
                title=changes.title,
                description=changes.description,
                clear_description=changes.clear_description,
                price=changes.price,
                stock=changes.stock,
                unlimited_stock=changes.unlimited_stock,
                visibility=changes.visibility,
            )
            await uow.products.update(product)
            await uow.commit()
            return product

    async def publish(self, actor: Actor, product_id: UUID) -> Product:
        async with self._uow() as uow:
            product = await self._managed(uow, product_id, actor)
            product.publish(self._clock.now())
            await uow.products.update(product)
            await uow.commit()
            return product

    async def unpublish(self, actor: Actor, product_id: UUID) -> Product:
        async with self._uow() as uow:
            product = await self._managed(uow, product_id, actor)
            product.unpublish(self._clock.now())
            await uow.products.update(product)
            await uow.commit()
            return product

    async def archive(self, actor: Actor, product_id: UUID) -> Product:
        async with self._uow() as uow:
            product = await self._managed(uow, product_id, actor)
            product.archive(self._clock.now())
            await uow.products.update(product)
            await uow.commit()
            return product

    async def _visible(
        self, uow: StoreUnitOfWork, product_id: UUID, viewer: Actor | None
    ) -> Product:
        product = await uow.products.get(product_id)
        if product is not None:
            entity = await find_entity(uow, product.entity_id)
            if product.visible_to(await audience_of(uow, entity, viewer)):
                return product
        raise ProductNotFound(f"no product {product_id}")

    async def _managed(self, uow: StoreUnitOfWork, product_id: UUID, actor: Actor) -> Product:
        """The product, locked, for someone who may manage the store; others learn only
        what they could see anyway (404 for what is hidden from them, 403 otherwise)."""
        product = await self._visible(uow, product_id, actor)
        product = await uow.products.get(product_id, for_update=True) or product
        entity = await find_entity(uow, product.entity_id)
        await require_permission(uow, entity, actor, EntityPermission.MANAGE_STORE)
        return product
