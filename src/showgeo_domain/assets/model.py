"""The Asset aggregate: one stored original, its variants and who may read it.

Lifecycle: a direct upload starts AWAITING_UPLOAD (a row, no bytes yet). Once the original
is stored, images are PROCESSING until their variants exist (READY) or the image turns out
unusable (FAILED, with a reason); other kinds are READY at once. The object keys are derived
from the id, so nothing a client sends (a file name, say) ever becomes part of a path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from showgeo_domain.assets.domain_events import AssetProcessed, AssetUploaded
from showgeo_domain.assets.errors import AssetTooLarge, EmptyUpload
from showgeo_domain.assets.formats import AssetKind, Format
from showgeo_domain.shared.domain_events import DomainEvent, RecordsEvents
from showgeo_domain.shared.errors import Conflict, InvalidInput
from showgeo_domain.shared.ids import new_id

FILENAME_MAX = 200
REASON_MAX = 500

MB = 1024 * 1024


class AssetStatus(StrEnum):
    AWAITING_UPLOAD = "AWAITING_UPLOAD"
    PROCESSING = "PROCESSING"
    READY = "READY"
    FAILED = "FAILED"


class AssetVisibility(StrEnum):
    PUBLIC = "PUBLIC"
    FOLLOWERS = "FOLLOWERS"
    """Followers of the owning entity."""
    TICKET_HOLDERS = "TICKET_HOLDERS"
    """Holders of a valid ticket to the asset's event."""
    PURCHASERS = "PURCHASERS"
    """Buyers of a paid (not fully refunded) digital product that carries this asset."""
    PRIVATE = "PRIVATE"
    """The owner and the entity's members."""


@dataclass(frozen=True, slots=True)
class SizeLimits:
    """Bytes allowed per kind (configurable; these are the defaults)."""

    image: int = 20 * MB
    audio: int = 200 * MB
    video: int = 2048 * MB
    document: int = 50 * MB

    def of(self, kind: AssetKind) -> int:
        return {
            AssetKind.IMAGE: self.image,
            AssetKind.AUDIO: self.audio,
            AssetKind.VIDEO: self.video,
            AssetKind.DOCUMENT: self.document,
        }[kind]

    @property
    def largest(self) -> int:
        return max(self.image, self.audio, self.video, self.document)

    def check(self, kind: AssetKind, size: int) -> None:
        if size <= 0:
            raise EmptyUpload("the file is empty", field="file")
        limit = self.of(kind)
        if size > limit:
            raise AssetTooLarge(
                f"{kind.value.lower()} files may be at most {limit} bytes", field="file"
            )


@dataclass(frozen=True, slots=True)
class Variant:
    """A derived rendition stored beside the original (e.g. `thumbnail`, `display`)."""

    name: str
    key: str
    content_type: str
    width: int
    height: int
    size: int


def original_key(asset_id: UUID) -> str:
    return f"assets/{asset_id}/original"


def upload_key(asset_id: UUID) -> str:
    """Where a direct upload lands. The presigned URL stays valid after `complete`, so the
    checked bytes are moved to `original_key`: whatever is sent to this key later is never
    served."""
    return f"uploads/{asset_id}"


def variant_key(asset_id: UUID, name: str) -> str:
    return f"assets/{asset_id}/{name}.webp"


def clean_filename(raw: str | None) -> str | None:
    """Only the last path part, without control characters: shown to people and used in
    `Content-Disposition`, never as a path."""
    if raw is None:
        return None
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"').strip()
    if name in ("", ".", ".."):
        return None
    return name[:FILENAME_MAX]


@dataclass(eq=False)
class Asset(RecordsEvents):
    id: UUID
    owner_id: UUID
    kind: AssetKind
    visibility: AssetVisibility
    status: AssetStatus
    key: str
    created_at: datetime
    updated_at: datetime
    content_type: str | None = None
    size: int | None = None
    filename: str | None = None
    entity_id: UUID | None = None
    event_id: UUID | None = None
    width: int | None = None
    height: int | None = None
    failure_reason: str | None = None
    variants: list[Variant] = field(default_factory=list)
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def new(
        cls,
        *,
        owner_id: UUID,
        kind: AssetKind,
        visibility: AssetVisibility,
        now: datetime,
        filename: str | None = None,
        entity_id: UUID | None = None,
        event_id: UUID | None = None,
        asset_id: UUID | None = None,
    ) -> Asset:
        """An asset whose bytes are not stored yet."""
        check_scope(visibility, entity_id, event_id)
        asset_id = asset_id or new_id()
        return cls(
            id=asset_id,
            owner_id=owner_id,
            kind=kind,
            visibility=visibility,
            status=AssetStatus.AWAITING_UPLOAD,
            key=original_key(asset_id),
            filename=clean_filename(filename),
            entity_id=entity_id,
            event_id=event_id,
            created_at=now,
            updated_at=now,
        )

    @property
    def upload_key(self) -> str:
        return upload_key(self.id)

    @property
    def inline(self) -> bool:
        return self.kind is not AssetKind.DOCUMENT

    @property
    def is_ready(self) -> bool:
        return self.status is AssetStatus.READY

    def stored(self, fmt: Format, size: int, now: datetime) -> None:
        """The original is in storage: images wait for their variants, the rest is ready."""
        if self.status is not AssetStatus.AWAITING_UPLOAD:
            raise Conflict("this asset's content is already stored")
        self.kind = fmt.kind
        self.content_type = fmt.content_type
        self.size = size
        self.status = AssetStatus.PROCESSING if fmt.kind is AssetKind.IMAGE else AssetStatus.READY
        self.updated_at = now
        self.record(
            AssetUploaded(
                occurred_at=now,
                asset_id=self.id,
                owner_id=self.owner_id,
                kind=self.kind.value,
                content_type=fmt.content_type,
                size=size,
            )
        )

    def processed(self, variants: list[Variant], width: int, height: int, now: datetime) -> None:
        self._leave_processing(now)
        self.variants = list(variants)
        self.width, self.height = width, height
        self.status = AssetStatus.READY
        self.record(AssetProcessed(occurred_at=now, asset_id=self.id, status=self.status.value))

    def failed(self, reason: str, now: datetime) -> None:
        self._leave_processing(now)
        self.status = AssetStatus.FAILED
        self.failure_reason = reason[:REASON_MAX]
        self.record(
            AssetProcessed(
                occurred_at=now,
                asset_id=self.id,
                status=self.status.value,
                reason=self.failure_reason,
            )
        )

    def variant(self, name: str) -> Variant | None:
        return next((v for v in self.variants if v.name == name), None)

    def object_keys(self) -> list[str]:
        """Every object this asset may have in storage."""
        return [self.key, upload_key(self.id), *(v.key for v in self.variants)]

    def _leave_processing(self, now: datetime) -> None:
        if self.status is not AssetStatus.PROCESSING:
            raise Conflict(f"the asset is {self.status.value}, not PROCESSING")
        self.updated_at = now


def check_scope(visibility: AssetVisibility, entity_id: UUID | None, event_id: UUID | None) -> None:
    """The audience a visibility names must exist: followers and purchasers of an entity,
    ticket holders of an event."""
    if visibility in (AssetVisibility.FOLLOWERS, AssetVisibility.PURCHASERS) and not entity_id:
        raise InvalidInput(
            f"{visibility.value} assets belong to an entity: give entity_id", field="entity_id"
        )
    if visibility is AssetVisibility.TICKET_HOLDERS and not event_id:
        raise InvalidInput(
            "TICKET_HOLDERS assets belong to an event: give event_id", field="event_id"
        )
