"""Use cases for the images shown on profiles, entities and events (see `image_links.py`).

Who may change what: a user their own avatar; an entity's avatar, banner and gallery need its
UPDATE permission; an event's cover needs MANAGE_EVENTS on its entity. The image itself must be
the caller's own upload, or an upload of the same entity linked by one of its members.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from showgeo_domain.assets.errors import AssetNotFound
from showgeo_domain.assets.image_links import (
    GALLERY_MAX,
    AssetLink,
    LinkRole,
    LinkTarget,
    check_linkable_image,
)
from showgeo_domain.assets.model import Asset
from showgeo_domain.assets.ports import AssetsUnitOfWork
from showgeo_domain.entities.policy import EntityPermission
from showgeo_domain.entities.services import find_entity, require_permission
from showgeo_domain.events.errors import EventNotFound
from showgeo_domain.identity.model import Actor
from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.errors import InvalidInput, NotFound
from showgeo_domain.shared.ids import parse_id
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Shown:
    role: LinkRole
    asset: Asset


class ImageLinks:
    def __init__(self, uow: UnitOfWorkFactory[AssetsUnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def set(
        self, actor: Actor, target: LinkTarget, ref: str | UUID, role: LinkRole, asset_id: UUID
    ) -> Asset:
        async with self._uow() as uow:
            target_id, entity_id = await self._managed(uow, actor, target, ref)
            asset = await uow.assets.get(asset_id)
            if asset is None:
                raise AssetNotFound(f"no asset {asset_id}", field="asset_id")
            usable = asset.owner_id == actor.user_id or (
                entity_id is not None and asset.entity_id == entity_id
            )
            if not usable:
                raise InvalidInput("link your own image, or one of this entity's", field="asset_id")
            check_linkable_image(asset, target, role)
            if not role.single:
                current = [
                    k for k in await uow.assets.links_of(target, target_id) if k.role is role
                ]
                if len(current) >= GALLERY_MAX and all(k.asset_id != asset_id for k in current):
                    raise InvalidInput(f"a gallery holds at most {GALLERY_MAX} images")
            await uow.assets.link(AssetLink(target, target_id, role, asset.id, self._clock.now()))
            await uow.commit()
            return asset

    async def remove(
        self,
        actor: Actor,
        target: LinkTarget,
        ref: str | UUID,
        role: LinkRole,
        asset_id: UUID | None = None,
    ) -> None:
        """Idempotent: removing what is not linked is fine."""
        async with self._uow() as uow:
            target_id, _ = await self._managed(uow, actor, target, ref)
            await uow.assets.unlink(target, target_id, role, asset_id)
            await uow.commit()

    async def shown(self, target: LinkTarget, ref: str | UUID) -> list[Shown]:
        """The target's linked images (all PUBLIC), by role then oldest first."""
        async with self._uow() as uow:
            target_id = await self._resolve(uow, target, ref)
            found = []
            for link in await uow.assets.links_of(target, target_id):
                asset = await uow.assets.get(link.asset_id)
                if asset is not None:
                    found.append(Shown(link.role, asset))
            return found

    async def _resolve(self, uow: AssetsUnitOfWork, target: LinkTarget, ref: str | UUID) -> UUID:
        if target is LinkTarget.ENTITY:
            return (await find_entity(uow, ref)).id
        if target is LinkTarget.EVENT:
            event_id = ref if isinstance(ref, UUID) else parse_id(ref)
            if event_id is None or await uow.events.get(event_id) is None:
                raise EventNotFound(f"no event {ref}")
            return event_id
        user_id = ref if isinstance(ref, UUID) else None
        user = (
            await uow.users.get(user_id)
            if user_id is not None
            else await uow.users.get_by_username(str(ref).strip().lower())
        )
        if user is None:
            raise NotFound(f"no user {ref}")
        return user.id

    async def _managed(
        self, uow: AssetsUnitOfWork, actor: Actor, target: LinkTarget, ref: str | UUID
    ) -> tuple[UUID, UUID | None]:
        """The target's id for someone allowed to change its images, and its entity."""
        if target is LinkTarget.USER:
            return actor.user_id, None
        if target is LinkTarget.ENTITY:
            entity = await find_entity(uow, ref)
            await require_permission(uow, entity, actor, EntityPermission.UPDATE)
            return entity.id, entity.id
        event_id = await self._resolve(uow, target, ref)
        event = await uow.events.get(event_id)
        assert event is not None
        entity = await find_entity(uow, event.entity_id)
        await require_permission(uow, entity, actor, EntityPermission.MANAGE_EVENTS)
        return event.id, entity.id
