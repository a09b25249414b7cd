from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from showgeo_domain.shared.domain_events import DomainEvent


class AssetEvent(DomainEvent, frozen=True, kw_only=True):
    context: ClassVar[str] = "assets"


class AssetUploaded(AssetEvent, frozen=True, kw_only=True):
    """The original is stored; images then get their variants made off the request."""

    asset_id: UUID
    owner_id: UUID
    kind: str
    content_type: str
    size: int


class AssetProcessed(AssetEvent, frozen=True, kw_only=True):
    """The asset left PROCESSING: `status` is READY or FAILED (with `reason`)."""

    asset_id: UUID
    status: str
    reason: str | None = None


class AssetDeleted(AssetEvent, frozen=True, kw_only=True):
    asset_id: UUID
    owner_id: UUID
