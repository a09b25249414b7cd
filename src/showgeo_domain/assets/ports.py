"""What the assets context needs from outside: a place for bytes, an image library, a content
sniffer, and its rows."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

import msgspec

from showgeo_domain.assets.image_links import AssetLink, LinkRole, LinkTarget
from showgeo_domain.assets.model import Asset
from showgeo_domain.events.ports import EventsUnitOfWork
from showgeo_domain.follow.ports import FollowRepository


class ObjectInfo(msgspec.Struct, frozen=True):
    size: int
    content_type: str | None = None


class UploadTarget(msgspec.Struct, frozen=True, kw_only=True):
    """Where a client sends the bytes of a direct upload: one request with `method`, `url` and
    exactly these `headers`."""

    url: str
    method: str = "PUT"
    headers: dict[str, str] = msgspec.field(default_factory=dict)
    expires_at: datetime


class ObjectMissing(Exception):
    """No object under the key (an adapter-level fact; use cases turn it into domain errors)."""


class ObjectStorage(Protocol):
    """Bytes by key. Keys are made by the domain (`assets/<id>/...`); adapters must still
    refuse keys that would escape their root."""

    async def put(self, key: str, chunks: AsyncIterable[bytes], *, content_type: str) -> int:
        """Store the stream under `key` as it arrives (never whole in memory) and return its
        size. If the stream raises, nothing is left under `key` and the error propagates."""
        ...

    async def stat(self, key: str) -> ObjectInfo | None: ...

    def read(self, key: str, *, start: int = 0, stop: int | None = None) -> AsyncIterator[bytes]:
        """Bytes `start` up to (not including) `stop`, in chunks. Raises ObjectMissing."""
        ...

    async def delete(self, key: str) -> None:
        """Idempotent: deleting what is not there is fine."""
        ...

    async def move(self, source: str, target: str) -> None:
        """Put the object at `source` under `target` (replacing it) and remove `source`.
        Raises ObjectMissing when there is nothing at `source`."""
        ...

    async def download_url(
        self,
        key: str,
        *,
        expires_in: int,
        content_type: str,
        filename: str | None,
        inline: bool,
    ) -> str | None:
        """A short-lived URL the client can fetch the object from directly (presigned GET),
        or None when the API must stream it itself (local files)."""
        ...

    async def upload_target(
        self, key: str, *, content_type: str, max_size: int, expires_in: int
    ) -> UploadTarget:
        """A short-lived URL the client can PUT the object to directly."""
        ...


class ImageInfo(msgspec.Struct, frozen=True):
    width: int
    height: int


class VariantSpec(msgspec.Struct, frozen=True):
    name: str
    max_side: int
    """The longer side in pixels; smaller images are not enlarged."""


class RenderedVariant(msgspec.Struct, frozen=True):
    name: str
    data: bytes
    width: int
    height: int
    content_type: str = "image/webp"


class ImageProcessor(Protocol):
    async def inspect(self, content: AsyncIterable[bytes]) -> ImageInfo:
        """Decode the whole image. Raises InvalidImage if it is truncated or corrupt, or if it
        has more pixels than the decompression-bomb limit."""
        ...

    async def render(
        self, content: AsyncIterable[bytes], specs: Sequence[VariantSpec]
    ) -> tuple[ImageInfo, list[RenderedVariant]]:
        """WebP renditions with EXIF and other metadata dropped and the EXIF orientation
        applied to the pixels. Raises InvalidImage like `inspect`."""
        ...


class ContentSniffer(Protocol):
    def candidates(self, head: bytes) -> list[str]:
        """MIME types the first bytes of a file could be, best first; [] when unknown."""
        ...


class AssetRepository(Protocol):
    async def add(self, asset: Asset) -> None: ...

    async def update(self, asset: Asset) -> None: ...

    async def get(self, asset_id: UUID, *, for_update: bool = False) -> Asset | None: ...

    async def delete(self, asset_id: UUID) -> None: ...

    async def uses(self, asset_id: UUID) -> list[str]:
        """What refers to the asset (`product:<id>`, `entity:<id>:banner`, ...), sorted;
        empty when it may be deleted."""
        ...

    async def links_of(self, target: LinkTarget, target_id: UUID) -> list[AssetLink]:
        """The target's linked images, by role then oldest first."""
        ...

    async def link(self, link: AssetLink) -> None:
        """Add the link; for a single role (avatar, banner, cover) it replaces the one there.
        Linking the same asset again to a gallery changes nothing."""
        ...

    async def unlink(
        self, target: LinkTarget, target_id: UUID, role: LinkRole, asset_id: UUID | None = None
    ) -> bool:
        """Remove the role's link (the given asset's, for a gallery); False if none."""
        ...

    async def awaiting_upload_since(self, cutoff: datetime, limit: int) -> list[UUID]:
        """Direct uploads created before `cutoff` and never completed, oldest first."""
        ...

    async def processing_since(self, cutoff: datetime, limit: int) -> list[UUID]:
        """Images PROCESSING since before `cutoff` (stored then, never finished), oldest
        first."""
        ...

    async def holds_ticket(self, user_id: UUID, event_id: UUID) -> bool:
        """The user holds a ticket to the event that is not voided."""
        ...

    async def purchased(self, user_id: UUID, asset_id: UUID) -> bool:
        """The user has a PAID or PARTIALLY_REFUNDED order for a product of the asset's own
        entity that carries the asset (a fully refunded purchase no longer grants the
        download; another entity's product pointing at the asset grants nothing)."""
        ...


class AssetsUnitOfWork(EventsUnitOfWork, Protocol):
    """What the assets use cases need: assets, the events and entities they hang on, and the
    follows that decide who may see a followers-only one (`check_linkable` takes it too)."""

    assets: AssetRepository
    follows: FollowRepository
