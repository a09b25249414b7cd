"""Object storage failing in the middle of an upload, a completion or a variant job leaves no
orphan: no stored bytes without a row, no row pointing at missing bytes, no event for an asset
that does not exist. The storage here fails the way S3 or a full disk does: part of the object
may already be written when the error comes."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from datetime import timedelta

import pytest

from showgeo_adapters.imaging import PillowImageProcessor
from showgeo_adapters.magic import PureMagicSniffer
from showgeo_adapters.memory.objects import MemoryObjectStorage
from showgeo_domain.assets.domain_events import AssetUploaded
from showgeo_domain.assets.formats import AssetKind
from showgeo_domain.assets.model import AssetStatus, AssetVisibility, SizeLimits
from showgeo_domain.assets.services import AssetRequest, Assets, AssetSettings
from tests.domain.conftest import events_of
from tests.support import media


class StorageDown(OSError):
    """What an unreachable bucket or a full disk raises."""


class FailingStorage(MemoryObjectStorage):
    """Fails `put` (after keeping what arrived so far: a half-written object), `move` or
    `delete` for the keys whose name contains one of the armed fragments."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_put: set[str] = set()
        self.fail_move = False

    async def put(self, key: str, chunks: AsyncIterable[bytes], *, content_type: str) -> int:
        if not any(fragment in key for fragment in self.fail_put):
            return await super().put(key, chunks, content_type=content_type)
        partial = bytearray()
        async for chunk in chunks:
            partial.extend(chunk)
            if len(partial) >= 100:
                break
        self.objects[key] = (bytes(partial), content_type)
        raise StorageDown(f"storage failed writing {key}")

    async def move(self, source: str, target: str) -> None:
        if self.fail_move:
            self.objects[target] = self.objects[source]  # copied, the source not yet removed
            raise StorageDown(f"storage failed moving {source}")
        await super().move(source, target)


async def chunks(data: bytes, size: int = 64) -> AsyncIterator[bytes]:
    for offset in range(0, len(data), size):
        yield data[offset : offset + size]


@pytest.fixture
def storage() -> FailingStorage:
    return FailingStorage()


@pytest.fixture
def assets(uow, clock, storage) -> Assets:
    settings = AssetSettings(limits=SizeLimits(image=200_000, audio=5_000, document=1_000))
    return Assets(uow, clock, storage, PureMagicSniffer(), PillowImageProcessor(), settings)


PUBLIC = AssetRequest(visibility=AssetVisibility.PUBLIC)


async def test_a_streamed_upload_the_storage_drops_keeps_nothing(
    assets: Assets, storage: FailingStorage, store, sign_up
) -> None:
    ana = await sign_up("ana")
    storage.fail_put = {"original"}
    with pytest.raises(StorageDown):
        await assets.upload(ana.actor, PUBLIC, chunks(media.png((40, 40))))
    assert storage.objects == {}  # the half-written original went too
    assert store.state.assets == {}
    assert events_of(store, AssetUploaded) == []

    storage.fail_put = set()  # the storage is back: the same upload goes through
    asset = await assets.upload(ana.actor, PUBLIC, chunks(media.png((40, 40))))
    assert set(storage.objects) == {asset.key}
    assert set(store.state.assets) == {asset.id}


async def test_a_completion_the_storage_drops_keeps_nothing(
    assets: Assets, storage: FailingStorage, store, sign_up
) -> None:
    ana = await sign_up("ana")
    direct = await assets.start_upload(
        ana.actor,
        AssetRequest(AssetVisibility.PUBLIC, kind=AssetKind.IMAGE),
        size=len(media.png((40, 40))),
        content_type="image/png",
    )
    await storage.put(
        direct.asset.upload_key, chunks(media.png((40, 40))), content_type="image/png"
    )
    storage.fail_move = True
    with pytest.raises(StorageDown):
        await assets.complete(ana.actor, direct.asset.id)
    assert storage.objects == {}  # neither the upload nor the half-made copy is left
    assert store.state.assets == {}
    assert events_of(store, AssetUploaded) == []


async def test_a_variant_job_the_storage_drops_is_retried_and_variants_exist_once(
    assets: Assets, storage: FailingStorage, store, sign_up
) -> None:
    ana = await sign_up("ana")
    asset = await assets.upload(ana.actor, PUBLIC, chunks(media.png((400, 300))))
    storage.fail_put = {"/display"}  # the thumbnail is written, the display variant is not
    with pytest.raises(StorageDown):
        await assets.make_variants(asset.id)  # the bus redelivers the event later
    processing = await assets.describe(ana.actor, asset.id)
    assert (processing.status, processing.variants) == (AssetStatus.PROCESSING, [])

    storage.fail_put = set()
    assert await assets.make_variants(asset.id) is AssetStatus.READY
    ready = await assets.describe(None, asset.id)
    assert sorted(v.name for v in ready.variants) == ["display", "thumbnail"]
    assert set(storage.objects) == {asset.key, *(v.key for v in ready.variants)}
    for variant in ready.variants:  # written whole by the second run
        assert storage.objects[variant.key][0][8:12] == b"WEBP"


async def test_an_image_whose_variant_job_was_lost_is_failed_and_cleaned(
    assets: Assets, storage: FailingStorage, store, clock, sign_up
) -> None:
    """The bus dropped the job (its workers died `max_deliver` times) after one variant was
    written: past the processing timeout the sweep fails the image and removes that variant;
    a late run of the job then leaves nothing behind either."""
    ana = await sign_up("ana")
    lost = await assets.upload(ana.actor, PUBLIC, chunks(media.png((400, 300))))
    storage.fail_put = {"/display"}
    with pytest.raises(StorageDown):
        await assets.make_variants(lost.id)
    storage.fail_put = set()
    assert await assets.fail_lost_variant_jobs() == 0  # not late yet
    clock.advance(timedelta(hours=1, seconds=1))
    recent = await assets.upload(ana.actor, PUBLIC, chunks(media.png((40, 40))))
    assert await assets.fail_lost_variant_jobs() == 1
    failed = await assets.describe(ana.actor, lost.id)
    assert failed.status is AssetStatus.FAILED
    assert failed.failure_reason is not None
    assert "upload it again" in failed.failure_reason
    assert set(storage.objects) == {lost.key, recent.key}  # the half-made variants went
    assert (await assets.describe(ana.actor, recent.id)).status is AssetStatus.PROCESSING

    assert await assets.make_variants(lost.id) is AssetStatus.FAILED  # a late redelivery
    assert set(storage.objects) == {lost.key, recent.key}
