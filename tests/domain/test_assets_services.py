"""Asset use cases on the memory adapters, with the real sniffer and Pillow: uploads keep
nothing when they fail, access follows the visibility, variants are made once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from showgeo_adapters.imaging import PillowImageProcessor
from showgeo_adapters.magic import PureMagicSniffer
from showgeo_adapters.memory.objects import MemoryObjectStorage
from showgeo_domain.assets.domain_events import AssetProcessed, AssetUploaded
from showgeo_domain.assets.errors import (
    AssetAccessDenied,
    AssetInUse,
    AssetNotFound,
    AssetNotReady,
    AssetTooLarge,
    EmptyUpload,
    InvalidImage,
    UnsupportedMediaType,
    UploadNotFinished,
)
from showgeo_domain.assets.formats import AssetKind
from showgeo_domain.assets.model import AssetStatus, AssetVisibility, SizeLimits
from showgeo_domain.assets.services import AssetRequest, Assets, AssetSettings
from showgeo_domain.entities.errors import EntityPermissionDenied
from showgeo_domain.shared.money import Money
from showgeo_domain.store.model import ProductKind, Visibility
from showgeo_domain.store.services import ProductDetails
from tests.domain.conftest import events_of
from tests.support import media


async def chunks(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for offset in range(0, len(data), size):
        yield data[offset : offset + size]


@pytest.fixture
def storage() -> MemoryObjectStorage:
    return MemoryObjectStorage()


@pytest.fixture
def assets(uow, clock, storage) -> Assets:
    settings = AssetSettings(limits=SizeLimits(image=200_000, audio=5_000, document=1_000))
    return Assets(uow, clock, storage, PureMagicSniffer(), PillowImageProcessor(), settings)


PUBLIC = AssetRequest(visibility=AssetVisibility.PUBLIC)


async def test_an_image_upload_is_processing_until_its_variants_exist(
    assets: Assets, storage, store, sign_up
) -> None:
    ana = await sign_up("ana")
    asset = await assets.upload(
        ana.actor,
        AssetRequest(AssetVisibility.PUBLIC, filename="../me.jpg"),
        chunks(media.jpeg_rotated()),
    )
    assert (asset.kind, asset.status, asset.content_type) == (
        AssetKind.IMAGE,
        AssetStatus.PROCESSING,
        "image/jpeg",
    )
    assert asset.filename == "me.jpg"
    assert storage.objects[asset.key][0] == media.jpeg_rotated()
    (uploaded,) = events_of(store, AssetUploaded)
    assert uploaded.asset_id == asset.id

    assert await assets.make_variants(asset.id) is AssetStatus.READY
    ready = await assets.describe(None, asset.id)
    assert (ready.width, ready.height) == (20, 60)  # the EXIF rotation applied
    assert {v.name for v in ready.variants} == {"thumbnail", "display"}
    for variant in ready.variants:
        data = storage.objects[variant.key][0]
        assert data[8:12] == b"WEBP"
        assert b"SecretCam" not in data
    # A second run (a redelivered event) changes nothing.
    assert await assets.make_variants(asset.id) is AssetStatus.READY
    assert len(events_of(store, AssetProcessed)) == 1


async def test_audio_and_documents_are_ready_at_once(assets: Assets, sign_up) -> None:
    ana = await sign_up("ana")
    song = await assets.upload(ana.actor, PUBLIC, chunks(media.wav(0.2)))
    paper = await assets.upload(ana.actor, PUBLIC, chunks(media.pdf()))
    assert (song.kind, song.status) == (AssetKind.AUDIO, AssetStatus.READY)
    assert (paper.kind, paper.status, paper.inline) == (
        AssetKind.DOCUMENT,
        AssetStatus.READY,
        False,
    )


@pytest.mark.parametrize(
    ("data", "kind", "error"),
    [
        (b"", None, EmptyUpload),
        (media.TEXT, AssetKind.IMAGE, UnsupportedMediaType),
        (media.SVG, None, UnsupportedMediaType),
        (media.wav(), AssetKind.IMAGE, UnsupportedMediaType),
        (media.wav(1.0), None, AssetTooLarge),
        (media.truncated_png(), None, InvalidImage),
        (media.bomb_png(), None, InvalidImage),
    ],
)
async def test_bad_uploads_keep_nothing(assets: Assets, storage, store, sign_up, data, kind, error):
    ana = await sign_up("ana")
    with pytest.raises(error):
        await assets.upload(
            ana.actor, AssetRequest(AssetVisibility.PUBLIC, kind=kind), chunks(data)
        )
    assert storage.objects == {}
    assert store.state.assets == {}
    assert events_of(store, AssetUploaded) == []


async def test_an_unreadable_image_fails_with_a_reason(assets: Assets, storage, sign_up) -> None:
    ana = await sign_up("ana")
    asset = await assets.upload(ana.actor, PUBLIC, chunks(media.png()))
    storage.objects[asset.key] = (media.truncated_png(), "image/png")  # damaged after upload
    assert await assets.make_variants(asset.id) is AssetStatus.FAILED
    failed = await assets.describe(ana.actor, asset.id)
    assert failed.failure_reason is not None
    assert "truncated" in failed.failure_reason
    assert [k for k in storage.objects if "webp" in k] == []


async def test_only_members_attach_assets_to_an_entity(assets, crew, crew_entity) -> None:
    request = AssetRequest(AssetVisibility.FOLLOWERS, entity_id=crew_entity.id)
    with pytest.raises(EntityPermissionDenied):
        await assets.upload(crew["sam"].actor, request, chunks(media.wav()))
    made = await assets.upload(crew["cora"].actor, request, chunks(media.wav()))
    assert made.entity_id == crew_entity.id


async def test_followers_assets(assets, crew, crew_entity) -> None:
    request = AssetRequest(AssetVisibility.FOLLOWERS, entity_id=crew_entity.id)
    song = await assets.upload(crew["cora"].actor, request, chunks(media.wav()))
    for who in ["fay", "olga", "adam", "cora", "root"]:
        content = await assets.content(crew[who].actor, song.id)
        assert content.key == song.key
    with pytest.raises(AssetAccessDenied) as refused:
        await assets.content(crew["sam"].actor, song.id)
    assert refused.value.extra["reason"] == "not_following"
    with pytest.raises(AssetAccessDenied):
        await assets.content(None, song.id)


async def test_private_assets_look_missing_to_others(assets, crew, crew_entity) -> None:
    request = AssetRequest(AssetVisibility.PRIVATE, entity_id=crew_entity.id)
    secret = await assets.upload(crew["olga"].actor, request, chunks(media.pdf()))
    assert (await assets.content(crew["cora"].actor, secret.id)).inline is False
    for who in ["fay", "sam"]:
        with pytest.raises(AssetNotFound):
            await assets.describe(crew[who].actor, secret.id)


async def test_a_processing_image_is_served_only_to_its_managers(assets, crew) -> None:
    image = await assets.upload(crew["sam"].actor, PUBLIC, chunks(media.png()))
    assert (await assets.content(crew["sam"].actor, image.id)).key == image.key
    with pytest.raises(AssetNotReady):
        await assets.content(crew["fay"].actor, image.id)
    await assets.make_variants(image.id)
    thumb = await assets.content(crew["fay"].actor, image.id, "thumbnail")
    assert thumb.content_type == "image/webp"
    with pytest.raises(AssetNotFound):
        await assets.content(crew["fay"].actor, image.id, "poster")


async def test_delete_refuses_assets_in_use_and_removes_objects(
    assets, storage, shop, crew, crew_entity
) -> None:
    request = AssetRequest(AssetVisibility.PURCHASERS, entity_id=crew_entity.id)
    album = await assets.upload(crew["olga"].actor, request, chunks(media.wav()))
    spare = await assets.upload(crew["olga"].actor, request, chunks(media.wav()))
    await shop.create(
        crew["olga"].actor,
        crew_entity.id,
        ProductDetails(
            title="Album",
            kind=ProductKind.DIGITAL,
            price=Money(900, "EUR"),
            visibility=Visibility.PUBLIC,
            asset_id=album.id,
        ),
    )
    with pytest.raises(AssetInUse):
        await assets.delete(crew["olga"].actor, album.id)
    with pytest.raises(AssetAccessDenied):
        await assets.delete(crew["fay"].actor, spare.id)
    await assets.delete(crew["adam"].actor, spare.id)
    assert spare.key not in storage.objects
    assert album.key in storage.objects
    with pytest.raises(AssetNotFound):
        await assets.describe(crew["olga"].actor, spare.id)


async def test_a_direct_upload_is_checked_on_completion(assets, storage, store, sign_up) -> None:
    ana = await sign_up("ana")
    request = AssetRequest(AssetVisibility.PUBLIC, kind=AssetKind.AUDIO)
    started = await assets.start_upload(ana.actor, request, size=2000, content_type="audio/wav")
    assert started.asset.status is AssetStatus.AWAITING_UPLOAD
    with pytest.raises(UploadNotFinished):
        await assets.complete(ana.actor, started.asset.id)
    assert started.asset.id in store.state.assets  # may still arrive
    with pytest.raises(AssetNotReady):
        await assets.content(ana.actor, started.asset.id)

    await storage.put(started.asset.upload_key, chunks(media.wav()), content_type="audio/wav")
    done = await assets.complete(ana.actor, started.asset.id)
    assert (done.status, done.content_type, done.size) == (
        AssetStatus.READY,
        "audio/wav",
        len(media.wav()),
    )
    again = await assets.complete(ana.actor, started.asset.id)  # a retried call
    assert (again.status, again.size) == (done.status, done.size)


async def test_a_direct_upload_of_the_wrong_thing_leaves_nothing(assets, storage, store, sign_up):
    ana = await sign_up("ana")
    request = AssetRequest(AssetVisibility.PUBLIC, kind=AssetKind.IMAGE)
    started = await assets.start_upload(ana.actor, request, size=100, content_type="image/png")
    await storage.put(started.asset.upload_key, chunks(media.TEXT), content_type="image/png")
    with pytest.raises(UnsupportedMediaType):
        await assets.complete(ana.actor, started.asset.id)
    assert storage.objects == {}
    assert store.state.assets == {}


async def test_a_direct_upload_over_the_limit_is_refused_up_front(assets, sign_up) -> None:
    ana = await sign_up("ana")
    request = AssetRequest(AssetVisibility.PUBLIC, kind=AssetKind.DOCUMENT)
    with pytest.raises(AssetTooLarge):
        await assets.start_upload(ana.actor, request, size=1_001, content_type="application/pdf")


async def test_abandoned_direct_uploads_are_swept(assets, storage, store, clock, sign_up) -> None:
    ana = await sign_up("ana")
    request = AssetRequest(AssetVisibility.PUBLIC, kind=AssetKind.AUDIO)
    abandoned = await assets.start_upload(ana.actor, request, size=10, content_type="audio/wav")
    await storage.put(abandoned.asset.upload_key, chunks(b"partial"), content_type="audio/wav")
    done = await assets.start_upload(ana.actor, request, size=10, content_type="audio/wav")
    await storage.put(done.asset.upload_key, chunks(media.wav()), content_type="audio/wav")
    await assets.complete(ana.actor, done.asset.id)
    assert await assets.sweep_abandoned() == 0  # links still valid
    clock.advance(timedelta(hours=2))
    fresh = await assets.start_upload(ana.actor, request, size=10, content_type="audio/wav")
    assert await assets.sweep_abandoned() == 1
    assert set(store.state.assets) == {done.asset.id, fresh.asset.id}
    assert abandoned.asset.upload_key not in storage.objects
    assert done.asset.key in storage.objects
