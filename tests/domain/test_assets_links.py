"""Image links on the memory adapters: which images qualify, who may link them, what a
target shows, and that linked images are in use."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from showgeo_adapters.imaging import PillowImageProcessor
from showgeo_adapters.magic import PureMagicSniffer
from showgeo_adapters.memory.objects import MemoryObjectStorage
from showgeo_domain.assets.errors import AssetInUse
from showgeo_domain.assets.image_link_services import ImageLinks
from showgeo_domain.assets.image_links import LinkRole, LinkTarget
from showgeo_domain.assets.model import AssetVisibility
from showgeo_domain.assets.services import AssetRequest, Assets
from showgeo_domain.entities.errors import EntityPermissionDenied
from showgeo_domain.shared.errors import InvalidInput
from tests.support import media


async def once(data: bytes) -> AsyncIterator[bytes]:
    yield data


@pytest.fixture
def assets(uow, clock) -> Assets:
    return Assets(uow, clock, MemoryObjectStorage(), PureMagicSniffer(), PillowImageProcessor())


@pytest.fixture
def links(uow, clock) -> ImageLinks:
    return ImageLinks(uow, clock)


async def picture(assets: Assets, person, visibility=AssetVisibility.PUBLIC, **kwargs):
    request = AssetRequest(visibility, **kwargs)
    return await assets.upload(person.actor, request, once(media.png()))


async def test_only_public_images_of_ones_own_qualify(assets, links, crew) -> None:
    sam, fay = crew["sam"], crew["fay"]
    mine = await picture(assets, sam)
    await links.set(sam.actor, LinkTarget.USER, sam.id, LinkRole.AVATAR, mine.id)
    shown = await links.shown(LinkTarget.USER, "sam")
    assert [(s.role, s.asset.id) for s in shown] == [(LinkRole.AVATAR, mine.id)]

    theirs = await picture(assets, fay)
    private = await picture(assets, sam, AssetVisibility.PRIVATE)
    song = await assets.upload(sam.actor, AssetRequest(AssetVisibility.PUBLIC), once(media.wav()))
    for asset in (theirs, private, song):
        with pytest.raises(InvalidInput):
            await links.set(sam.actor, LinkTarget.USER, sam.id, LinkRole.AVATAR, asset.id)
    with pytest.raises(InvalidInput):
        await links.set(sam.actor, LinkTarget.USER, sam.id, LinkRole.COVER, mine.id)

    with pytest.raises(AssetInUse):
        await assets.delete(sam.actor, mine.id)
    await links.remove(sam.actor, LinkTarget.USER, sam.id, LinkRole.AVATAR)
    await links.remove(sam.actor, LinkTarget.USER, sam.id, LinkRole.AVATAR)  # idempotent
    await assets.delete(sam.actor, mine.id)


async def test_entity_images_need_update_permission(assets, links, crew, crew_entity) -> None:
    banner = await picture(assets, crew["cora"], entity_id=crew_entity.id)
    with pytest.raises(EntityPermissionDenied):
        await links.set(
            crew["cora"].actor, LinkTarget.ENTITY, crew_entity.id, LinkRole.BANNER, banner.id
        )
    await links.set(
        crew["adam"].actor, LinkTarget.ENTITY, "night-shift", LinkRole.BANNER, banner.id
    )
    shown = await links.shown(LinkTarget.ENTITY, crew_entity.id)
    assert [(s.role, s.asset.id) for s in shown] == [(LinkRole.BANNER, banner.id)]


async def test_galleries_are_bounded(assets, links, crew, crew_entity, monkeypatch) -> None:
    monkeypatch.setattr("showgeo_domain.assets.image_link_services.GALLERY_MAX", 3)
    olga = crew["olga"]
    first = await picture(assets, olga)
    for _ in range(3):
        await links.set(olga.actor, LinkTarget.ENTITY, crew_entity.id, LinkRole.GALLERY, first.id)
    extra = [await picture(assets, olga) for _ in range(3)]
    for asset in extra[:-1]:
        await links.set(olga.actor, LinkTarget.ENTITY, crew_entity.id, LinkRole.GALLERY, asset.id)
    with pytest.raises(InvalidInput, match="at most"):
        await links.set(
            olga.actor, LinkTarget.ENTITY, crew_entity.id, LinkRole.GALLERY, extra[-1].id
        )
    assert len(await links.shown(LinkTarget.ENTITY, crew_entity.id)) == 3
