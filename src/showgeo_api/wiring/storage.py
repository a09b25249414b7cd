"""Wiring of the assets context: which object storage the settings pick, and the use cases.

S3 when S3_BUCKET is set, else the local folder ASSETS_LOCAL_DIR (the embedded default). The
local adapter's direct-upload links point at this API (`PUT /assets/uploads/{token}`) and are
signed with a key derived from JWT_SECRET, which production already requires to be strong.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from showgeo_adapters.imaging import PillowImageProcessor
from showgeo_adapters.localfs import LocalObjectStorage
from showgeo_adapters.magic import PureMagicSniffer
from showgeo_adapters.s3 import S3ObjectStorage
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_api.settings import Settings
from showgeo_domain.assets.model import SizeLimits
from showgeo_domain.assets.services import Assets, AssetSettings
from showgeo_domain.shared.clock import Clock

ObjectStore = LocalObjectStorage | S3ObjectStorage


def build_object_storage(settings: Settings) -> ObjectStore:
    if settings.s3_bucket:
        return S3ObjectStorage(
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
        )
    return LocalObjectStorage(
        settings.assets_local_dir,
        upload_base_url=settings.public_base_url,
        secret=settings.jwt_secret,
    )


def asset_settings(settings: Settings) -> AssetSettings:
    return AssetSettings(
        limits=SizeLimits(
            image=settings.asset_max_image_bytes,
            audio=settings.asset_max_audio_bytes,
            video=settings.asset_max_video_bytes,
            document=settings.asset_max_document_bytes,
        ),
        download_ttl_seconds=settings.asset_download_ttl_seconds,
        upload_ttl_seconds=settings.asset_upload_ttl_seconds,
    )


def build_assets(
    settings: Settings, uow: PlatformUnitOfWorkFactory, clock: Clock, storage: ObjectStore
) -> Assets:
    return Assets(
        uow,
        clock,
        storage,
        PureMagicSniffer(),
        PillowImageProcessor(max_pixels=settings.asset_max_image_pixels),
        asset_settings(settings),
    )


def sweep_abandoned_uploads(container: Any) -> Callable[[], Awaitable[int]]:
    """The worker's scheduled job (`ASSETS_SWEEP_CRON`): direct uploads never completed are
    removed, images whose variant job was lost are marked FAILED."""
    assets: Assets = container.assets()

    async def sweep() -> int:
        return await assets.sweep_abandoned() + await assets.fail_lost_variant_jobs()

    return sweep


def local_storage_of(storage: ObjectStore) -> LocalObjectStorage | None:
    """The local adapter when it is the one in use (it receives direct uploads itself)."""
    return storage if isinstance(storage, LocalObjectStorage) else None


async def close_object_storage(storage: ObjectStore) -> None:
    if isinstance(storage, S3ObjectStorage):
        await storage.aclose()
