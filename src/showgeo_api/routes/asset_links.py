"""Images on profiles, entities and events: set or remove an avatar, a banner, gallery images
and an event's cover (PUBLIC IMAGE assets), and list what a target shows."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from msgspec import Meta

from showgeo_api.routes.assets import AssetOut
from showgeo_domain.assets.image_link_services import ImageLinks, Shown
from showgeo_domain.assets.image_links import LinkRole, LinkTarget
from showgeo_domain.identity.model import Actor

EntityRef = Annotated[str, Meta(min_length=1, max_length=64)]
Username = Annotated[str, Meta(min_length=1, max_length=30)]


class ImageIn(msgspec.Struct, forbid_unknown_fields=True):
    asset_id: UUID


class ShownOut(msgspec.Struct):
    role: str
    asset: AssetOut

    @classmethod
    def of(cls, shown: Shown) -> ShownOut:
        return cls(shown.role.value, AssetOut.of(shown.asset))


class ImagesOut(msgspec.Struct):
    items: list[ShownOut]


def _images(found: list[Shown]) -> ImagesOut:
    return ImagesOut([ShownOut.of(s) for s in found])


class MyAvatarController(Controller):
    path = "/users/me/avatar"
    tags = ["assets"]

    @put("/", security=[{"BearerToken": []}])
    async def set_avatar(
        self,
        data: JSONBody[ImageIn],
        actor: NamedDependency[Actor],
        image_links: NamedDependency[ImageLinks],
    ) -> ShownOut:
        asset = await image_links.set(
            actor, LinkTarget.USER, actor.user_id, LinkRole.AVATAR, data.asset_id
        )
        return ShownOut.of(Shown(LinkRole.AVATAR, asset))

    @delete("/", status_code=204, security=[{"BearerToken": []}])
    async def remove_avatar(
        self, actor: NamedDependency[Actor], image_links: NamedDependency[ImageLinks]
    ) -> None:
        await image_links.remove(actor, LinkTarget.USER, actor.user_id, LinkRole.AVATAR)


class UserImagesController(Controller):
    path = "/users/{username:str}/images"
    tags = ["assets"]

    @get("/")
    async def user_images(
        self, username: Username, image_links: NamedDependency[ImageLinks]
    ) -> ImagesOut:
        return _images(await image_links.shown(LinkTarget.USER, username))


class EntityImagesController(Controller):
    path = "/entities/{ref:str}"
    tags = ["assets"]

    @get("/images")
    async def entity_images(
        self, ref: EntityRef, image_links: NamedDependency[ImageLinks]
    ) -> ImagesOut:
        return _images(await image_links.shown(LinkTarget.ENTITY, ref))

    @put("/avatar", security=[{"BearerToken": []}])
    async def set_avatar(
        self,
        ref: EntityRef,
        data: JSONBody[ImageIn],
        actor: NamedDependency[Actor],
        image_links: NamedDependency[ImageLinks],
    ) -> ShownOut:
        return await _set(image_links, actor, LinkTarget.ENTITY, ref, LinkRole.AVATAR, data)

    @put("/banner", security=[{"BearerToken": []}])
    async def set_banner(
        self,
        ref: EntityRef,
        data: JSONBody[ImageIn],
        actor: NamedDependency[Actor],
        image_links: NamedDependency[ImageLinks],
    ) -> ShownOut:
        return await _set(image_links, actor, LinkTarget.ENTITY, ref, LinkRole.BANNER, data)

    @post("/gallery", status_code=201, security=[{"BearerToken": []}])
    async def add_to_gallery(
        self,
        ref: EntityRef,
        data: JSONBody[ImageIn],
        actor: NamedDependency[Actor],
        image_links: NamedDependency[ImageLinks],
    ) -> ShownOut:
        return await _set(image_links, actor, LinkTarget.ENTITY, ref, LinkRole.GALLERY, data)

    @delete("/avatar", status_code=204, security=[{"BearerToken": []}])
    async def remove_avatar(
        self,
        ref: EntityRef,
        actor: NamedDependency[Actor],
        image_links: NamedDependency[ImageLinks],
    ) -> None:
        await image_links.remove(actor, LinkTarget.ENTITY, ref, LinkRole.AVATAR)

    @delete("/banner", status_code=204, security=[{"BearerToken": []}])
    async def remove_banner(
        self,
        ref: EntityRef,
        actor: NamedDependency[Actor],
        image_links: NamedDependency[ImageLinks],
    ) -> None:
        await image_links.remove(actor, LinkTarget.ENTITY, ref, LinkRole.BANNER)

    @delete("/gallery/{asset_id:uuid}", status_code=204, security=[{"BearerToken": []}])
    async def remove_from_gallery(
        self,
        ref: EntityRef,
        asset_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        image_links: NamedDependency[ImageLinks],
    ) -> None:
        await image_links.remove(actor, LinkTarget.ENTITY, ref, LinkRole.GALLERY, asset_id)


class EventImagesController(Controller):
    path = "/events/{event_id:uuid}"
    tags = ["assets"]

    @get("/images")
    async def event_images(
        self, event_id: FromPath[UUID], image_links: NamedDependency[ImageLinks]
    ) -> ImagesOut:
        return _images(await image_links.shown(LinkTarget.EVENT, event_id))

    @put("/cover", security=[{"BearerToken": []}])
    async def set_cover(
        self,
        event_id: FromPath[UUID],
        data: JSONBody[ImageIn],
        actor: NamedDependency[Actor],
        image_links: NamedDependency[ImageLinks],
    ) -> ShownOut:
        return await _set(image_links, actor, LinkTarget.EVENT, event_id, LinkRole.COVER, data)

    @delete("/cover", status_code=204, security=[{"BearerToken": []}])
    async def remove_cover(
        self,
        event_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        image_links: NamedDependency[ImageLinks],
    ) -> None:
        await image_links.remove(actor, LinkTarget.EVENT, event_id, LinkRole.COVER)


async def _set(
    image_links: ImageLinks,
    actor: Actor,
    target: LinkTarget,
    ref: str | UUID,
    role: LinkRole,
    data: ImageIn,
) -> ShownOut:
    asset = await image_links.set(actor, target, ref, role, data.asset_id)
    return ShownOut.of(Shown(role, asset))


CONTROLLERS = [
    MyAvatarController,
    UserImagesController,
    EntityImagesController,
    EventImagesController,
]
