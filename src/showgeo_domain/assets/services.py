"""Asset use cases: upload (streamed or direct), describe, read, delete, make variants.

Bytes and rows are kept consistent by ordering: the object is written first and the row
committed after; if anything fails in between the object is deleted again, so a failed upload
leaves neither. Deleting goes the other way (row first, then objects): no row ever points at
bytes that are gone. The slow parts (storing, decoding images) never run inside a unit of
work, so no database transaction (SQLite's write lock in particular) waits on them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from showgeo_domain.assets.errors import (
    AssetAccessDenied,
    AssetInUse,
    AssetNotFound,
    AssetNotReady,
    EmptyUpload,
    InvalidImage,
    UploadNotFinished,
)
from showgeo_domain.assets.formats import SNIFF_BYTES, AssetKind, Format, choose_format
from showgeo_domain.assets.model import (
    Asset,
    AssetStatus,
    AssetVisibility,
    SizeLimits,
    Variant,
    variant_key,
)
from showgeo_domain.assets.policy import Refusal, ViewerFacts, facts_needed, may_read
from showgeo_domain.assets.ports import (
    AssetsUnitOfWork,
    ContentSniffer,
    ImageProcessor,
    ObjectStorage,
    UploadTarget,
    VariantSpec,
)
from showgeo_domain.assets.streams import at_most, split_head
from showgeo_domain.entities.policy import EntityPermission
from showgeo_domain.entities.services import find_entity, require_permission, role_of
from showgeo_domain.events.errors import EventNotFound
from showgeo_domain.identity.model import Actor
from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.errors import InvalidInput, PermissionDenied
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory

log = logging.getLogger("showgeo.assets")

DEFAULT_LIMITS = SizeLimits()
DEFAULT_VARIANTS = (VariantSpec("thumbnail", 320), VariantSpec("display", 1600))


@dataclass(frozen=True, slots=True)
class AssetRequest:
    """What the uploader says about a file; the kind is checked against the content."""

    visibility: AssetVisibility
    kind: AssetKind | None = None
    filename: str | None = None
    entity_id: UUID | None = None
    event_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class DirectUpload:
    asset: Asset
    target: UploadTarget


@dataclass(frozen=True, slots=True)
class Content:
    """How to hand an asset's bytes to an allowed viewer: a `redirect` URL (presigned), or
    the `key` to stream from storage."""

    asset: Asset
    key: str
    content_type: str
    size: int
    inline: bool
    filename: str | None
    redirect: str | None = None


@dataclass(frozen=True, slots=True)
class AssetSettings:
    limits: SizeLimits = DEFAULT_LIMITS
    variants: tuple[VariantSpec, ...] = DEFAULT_VARIANTS
    download_ttl_seconds: int = 300
    upload_ttl_seconds: int = 900
    processing_timeout_seconds: int = 3600
    """An image still PROCESSING this long after it was stored lost its variant job (the
    bus gave up on a message whose workers kept dying): the sweep marks it FAILED."""


class Assets:
    def __init__(
        self,
        uow: UnitOfWorkFactory[AssetsUnitOfWork],
        clock: Clock,
        storage: ObjectStorage,
        sniffer: ContentSniffer,
        images: ImageProcessor,
        settings: AssetSettings | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._storage = storage
        self._sniffer = sniffer
        self._images = images
        self._settings = settings or AssetSettings()

    @property
    def limits(self) -> SizeLimits:
        return self._settings.limits

    # -- uploads --------------------------------------------------------------------------

    async def upload(
        self, actor: Actor, request: AssetRequest, chunks: AsyncIterable[bytes]
    ) -> Asset:
        """Stream `chunks` to storage: the type is sniffed from the first bytes, the size
        limit of that kind applies while the rest flows, images are decoded once to refuse
        truncated files and decompression bombs. 4xx on any of these, with nothing kept."""
        asset = await self._new_asset(actor, request)
        head, whole = await split_head(chunks, SNIFF_BYTES)
        if not head:
            raise EmptyUpload("the file is empty", field="file")
        fmt = choose_format(self._sniffer.candidates(head), request.kind)
        limit = self.limits.of(fmt.kind)
        try:
            size = await self._storage.put(
                asset.key,
                at_most(whole, limit, fmt.kind.value.lower()),
                content_type=fmt.content_type,
            )
            return await self._keep(asset, fmt, size)
        except BaseException:
            await self._discard(asset.key)
            raise

    async def start_upload(
        self, actor: Actor, request: AssetRequest, *, size: int, content_type: str
    ) -> DirectUpload:
        """A row AWAITING_UPLOAD and a presigned target to PUT the bytes to; `complete`
        then checks what arrived. The declared kind and size are checked now, and again
        against the stored object on completion."""
        if request.kind is None:
            raise InvalidInput("direct uploads must say their kind", field="kind")
        self.limits.check(request.kind, size)
        asset = await self._new_asset(actor, request)
        async with self._uow() as uow:
            await uow.assets.add(asset)
            await uow.commit()
        target = await self._storage.upload_target(
            asset.upload_key,
            content_type=content_type,
            max_size=self.limits.of(request.kind),
            expires_in=self._settings.upload_ttl_seconds,
        )
        return DirectUpload(asset, target)

    async def complete(self, actor: Actor, asset_id: UUID) -> Asset:
        """Check a direct upload: 4xx if nothing arrived (the row stays, so the client can
        still send it); if what arrived is too big, of another type or a bad image, both the
        object and the row are removed."""
        async with self._uow() as uow:
            asset = await self._owned(uow, asset_id, actor)
        if asset.status is not AssetStatus.AWAITING_UPLOAD:
            return asset
        info = await self._storage.stat(asset.upload_key)
        if info is None or info.size == 0:
            raise UploadNotFinished("nothing has been uploaded for this asset yet")
        try:
            self.limits.check(asset.kind, info.size)
            head = b"".join(
                [c async for c in self._storage.read(asset.upload_key, stop=SNIFF_BYTES)]
            )
            fmt = choose_format(self._sniffer.candidates(head), asset.kind)
            await self._storage.move(asset.upload_key, asset.key)
            return await self._keep(asset, fmt, info.size, is_new=False)
        except BaseException:
            await self._discard(asset.upload_key)
            await self._discard(asset.key)
            async with self._uow() as uow:
                await uow.assets.delete(asset.id)
                await uow.commit()
            raise

    async def _new_asset(self, actor: Actor, request: AssetRequest) -> Asset:
        """Check the links before any byte is stored: the entity must be the caller's (as a
        member), the event must exist and belong to that entity."""
        entity_id, event_id = request.entity_id, request.event_id
        async with self._uow() as uow:
            if event_id is not None:
                event = await uow.events.get(event_id)
                if event is None:
                    raise EventNotFound(f"no event {event_id}", field="event_id")
                if entity_id is not None and entity_id != event.entity_id:
                    raise InvalidInput("the event belongs to another entity", field="event_id")
                entity_id = event.entity_id
            if entity_id is not None:
                entity = await find_entity(uow, entity_id)
                await require_permission(uow, entity, actor, EntityPermission.VIEW_PRIVATE_CONTENT)
        return Asset.new(
            owner_id=actor.user_id,
            kind=request.kind or AssetKind.DOCUMENT,
            visibility=request.visibility,
            filename=request.filename,
            entity_id=entity_id,
            event_id=event_id,
            now=self._clock.now(),
        )

    async def _keep(self, asset: Asset, fmt: Format, size: int, *, is_new: bool = True) -> Asset:
        self.limits.check(fmt.kind, size)
        if fmt.kind is AssetKind.IMAGE:
            await self._images.inspect(self._storage.read(asset.key))
        asset.stored(fmt, size, self._clock.now())
        async with self._uow() as uow:
            if is_new:
                await uow.assets.add(asset)
            else:
                await uow.assets.update(asset)
            await uow.commit()
        return asset

    async def _discard(self, key: str) -> None:
        try:
            await self._storage.delete(key)
        except Exception:  # the original error matters more; the orphan is logged
            log.exception("could not delete %s after a failed upload", key)

    # -- reading --------------------------------------------------------------------------

    async def describe(self, viewer: Actor | None, asset_id: UUID) -> Asset:
        async with self._uow() as uow:
            asset, _ = await self._readable(uow, asset_id, viewer)
            return asset

    async def content(
        self, viewer: Actor | None, asset_id: UUID, variant: str | None = None
    ) -> Content:
        """The access check first, then where the bytes are. Viewers who do not manage the
        asset get only READY assets; a missing variant is a 404."""
        async with self._uow() as uow:
            asset, manages = await self._readable(uow, asset_id, viewer)
        if asset.status is AssetStatus.AWAITING_UPLOAD or (not manages and not asset.is_ready):
            raise AssetNotReady(f"the asset is {asset.status.value}", status=asset.status.value)
        if variant is None:
            key, content_type, size = asset.key, asset.content_type, asset.size
        else:
            found = asset.variant(variant)
            if found is None:
                raise AssetNotFound(f"the asset has no {variant!r} variant")
            key, content_type, size = found.key, found.content_type, found.size
        assert content_type is not None
        assert size is not None
        inline = asset.inline
        redirect = await self._storage.download_url(
            key,
            expires_in=self._settings.download_ttl_seconds,
            content_type=content_type,
            filename=asset.filename,
            inline=inline,
        )
        return Content(asset, key, content_type, size, inline, asset.filename, redirect)

    def stream(
        self, content: Content, *, start: int = 0, stop: int | None = None
    ) -> AsyncIterator[bytes]:
        """The bytes of `content` (from `content()`, so after the access check), or a part."""
        return self._storage.read(content.key, start=start, stop=stop)

    async def _readable(
        self, uow: AssetsUnitOfWork, asset_id: UUID, viewer: Actor | None
    ) -> tuple[Asset, bool]:
        asset = await uow.assets.get(asset_id)
        if asset is None:
            raise AssetNotFound(f"no asset {asset_id}")
        facts = await self._facts(uow, asset, viewer)
        decision = may_read(asset, facts)
        if not decision.allowed:
            if decision.reason is Refusal.PRIVATE:
                raise AssetNotFound(f"no asset {asset_id}")
            assert decision.reason is not None
            raise AssetAccessDenied(
                f"you may not read this asset ({decision.reason.value})",
                reason=decision.reason.value,
            )
        return asset, facts.manages

    async def _facts(
        self, uow: AssetsUnitOfWork, asset: Asset, viewer: Actor | None
    ) -> ViewerFacts:
        """Only the lookups the asset's visibility needs."""
        if viewer is None:
            return ViewerFacts()
        is_member = (
            asset.entity_id is not None and await role_of(uow, asset.entity_id, viewer) is not None
        )
        needed = facts_needed(asset)
        follows = holds = bought = False
        if "follows_entity" in needed and asset.entity_id is not None:
            follows = await uow.follows.is_following(viewer.user_id, asset.entity_id)
        if "holds_ticket" in needed and asset.event_id is not None:
            holds = await uow.assets.holds_ticket(viewer.user_id, asset.event_id)
        if "purchased" in needed:
            bought = await uow.assets.purchased(viewer.user_id, asset.id)
        return ViewerFacts(
            signed_in=True,
            is_owner=viewer.user_id == asset.owner_id,
            is_member=is_member,
            is_admin=viewer.is_admin,
            follows_entity=follows,
            holds_ticket=holds,
            purchased=bought,
        )

    # -- deleting -------------------------------------------------------------------------

    async def delete(self, actor: Actor, asset_id: UUID) -> None:
        """409 while anything uses the asset; the row goes first, then the objects."""
        async with self._uow() as uow:
            asset = await self._owned(uow, asset_id, actor, for_update=True)
            uses = await uow.assets.uses(asset.id)
            if uses:
                raise AssetInUse(f"the asset is in use ({', '.join(uses)})", uses=", ".join(uses))
            await uow.assets.delete(asset.id)
            await uow.commit()
        for key in asset.object_keys():
            await self._discard(key)

    async def _owned(
        self, uow: AssetsUnitOfWork, asset_id: UUID, actor: Actor, *, for_update: bool = False
    ) -> Asset:
        """The asset, for its owner or whoever may manage its entity's content (UPDATE);
        others learn only what they could read anyway."""
        asset = await uow.assets.get(asset_id, for_update=for_update)
        if asset is None:
            raise AssetNotFound(f"no asset {asset_id}")
        if asset.owner_id == actor.user_id:
            return asset
        if asset.entity_id is not None:
            entity = await find_entity(uow, asset.entity_id)
            role = await role_of(uow, entity.id, actor)
            if role is not None or actor.is_admin:
                await require_permission(uow, entity, actor, EntityPermission.UPDATE)
                return asset
        await self._readable(uow, asset_id, actor)
        raise PermissionDenied("only the asset's owner or its entity's managers may do this")

    # -- housekeeping (the worker) ----------------------------------------------------------

    async def sweep_abandoned(self, limit: int = 200) -> int:
        """Remove direct uploads never completed (row and any bytes sent) once their upload
        link has long expired: an hour past its lifetime. Returns how many went."""
        grace = timedelta(seconds=self._settings.upload_ttl_seconds) + timedelta(hours=1)
        cutoff = self._clock.now() - grace
        async with self._uow() as uow:
            waiting = await uow.assets.awaiting_upload_since(cutoff, limit)
        removed = 0
        for asset_id in waiting:
            async with self._uow() as uow:
                asset = await uow.assets.get(asset_id, for_update=True)
                if asset is None or asset.status is not AssetStatus.AWAITING_UPLOAD:
                    continue
                await uow.assets.delete(asset_id)
                await uow.commit()
            for key in asset.object_keys():
                await self._discard(key)
            removed += 1
        return removed

    async def fail_lost_variant_jobs(self, limit: int = 200) -> int:
        """Mark FAILED the images PROCESSING for longer than `processing_timeout_seconds`,
        and remove any variant a dying job wrote. A variant job is retried by the bus while
        its workers die (redelivery) or it fails (backoff), and a slow one reports progress;
        an image past this timeout will never be finished, so its owner is told instead
        of waiting forever. The original stays, as for any image that failed. Returns how
        many were failed."""
        cutoff = self._clock.now() - timedelta(seconds=self._settings.processing_timeout_seconds)
        async with self._uow() as uow:
            stuck = await uow.assets.processing_since(cutoff, limit)
        failed = 0
        for asset_id in stuck:
            status = await self._finish(
                asset_id, None, "the image's variants were not made in time; upload it again"
            )
            if status is not AssetStatus.FAILED:
                continue
            for spec in self._settings.variants:
                await self._discard(variant_key(asset_id, spec.name))
            failed += 1
        return failed

    # -- variants (the worker) --------------------------------------------------------------

    async def make_variants(self, asset_id: UUID) -> AssetStatus | None:
        """Render the image variants of a PROCESSING asset and mark it READY, or FAILED with
        the reason. Safe to run twice: variant keys are fixed per asset, and an asset that
        already left PROCESSING is left alone. Returns the asset's status afterwards (None
        when there is no such asset)."""
        async with self._uow() as uow:
            asset = await uow.assets.get(asset_id)
        if asset is None or asset.status is not AssetStatus.PROCESSING:
            return None if asset is None else asset.status
        variants: list[Variant] = []
        try:
            info, rendered = await self._images.render(
                self._storage.read(asset.key), self._settings.variants
            )
            for r in rendered:
                key = variant_key(asset.id, r.name)
                size = await self._storage.put(key, _once(r.data), content_type=r.content_type)
                variants.append(Variant(r.name, key, r.content_type, r.width, r.height, size))
        except InvalidImage as exc:
            return await self._finish(asset_id, None, exc.detail)
        status = await self._finish(asset_id, (variants, info.width, info.height), None)
        if status is None or status is AssetStatus.FAILED:  # deleted, or failed by the sweep
            for variant in variants:
                await self._discard(variant.key)
        return status

    async def _finish(
        self,
        asset_id: UUID,
        result: tuple[Sequence[Variant], int, int] | None,
        reason: str | None,
    ) -> AssetStatus | None:
        async with self._uow() as uow:
            asset = await uow.assets.get(asset_id, for_update=True)
            if asset is None:
                return None
            if asset.status is not AssetStatus.PROCESSING:
                return asset.status
            now = self._clock.now()
            if result is not None:
                variants, width, height = result
                asset.processed(list(variants), width, height, now)
            else:
                asset.failed(reason or "the image could not be processed", now)
            await uow.assets.update(asset)
            await uow.commit()
            return asset.status


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def check_linkable(
    uow: AssetsUnitOfWork, asset_id: UUID, entity_id: UUID, field: str
) -> None:
    """An asset another aggregate points at (a product's digital file) must exist and belong
    to the same entity: nobody can sell, or grant access to, someone else's file."""
    asset = await uow.assets.get(asset_id)
    if asset is None or asset.entity_id != entity_id:
        raise InvalidInput("no asset of this entity has that id", field=field)
