"""Assets in memory, with the same access lookups as the SQL adapter (tickets, purchases)."""

from __future__ import annotations

import copy
from datetime import datetime
from uuid import UUID

from showgeo_adapters.memory.repositories._base import MemoryRepository
from showgeo_domain.assets.image_links import AssetLink, LinkRole, LinkTarget
from showgeo_domain.assets.model import Asset, AssetStatus
from showgeo_domain.orders.model import LineKind, OrderStatus

GRANTING = frozenset({OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED})


def _stored(asset: Asset) -> Asset:
    stored = copy.deepcopy(asset)
    stored.pending_events = []
    return stored


class MemoryAssetRepository(MemoryRepository):
    async def add(self, asset: Asset) -> None:
        self.state.assets[asset.id] = _stored(asset)
        self._events.track(asset)

    async def update(self, asset: Asset) -> None:
        if asset.id in self.state.assets:
            self.state.assets[asset.id] = _stored(asset)
        self._events.track(asset)

    async def get(self, asset_id: UUID, *, for_update: bool = False) -> Asset | None:
        return copy.deepcopy(self.state.assets.get(asset_id))

    async def delete(self, asset_id: UUID) -> None:
        """With any links left to targets that no longer exist."""
        self.state.assets.pop(asset_id, None)
        self.state.asset_links = [k for k in self.state.asset_links if k.asset_id != asset_id]

    async def uses(self, asset_id: UUID) -> list[str]:
        products = [
            f"product:{p.id}" for p in self.state.products.values() if p.asset_id == asset_id
        ]
        links = [
            link.describe()
            for link in self.state.asset_links
            if link.asset_id == asset_id and self._target_exists(link)
        ]
        return sorted(products + links)

    def _target_exists(self, link: AssetLink) -> bool:
        """Links to a deleted user, entity or event no longer hold their asset."""
        if link.target is LinkTarget.USER:
            return link.target_id in self.state.users
        if link.target is LinkTarget.ENTITY:
            return link.target_id in self.state.entities
        return link.target_id in self.state.events

    async def links_of(self, target: LinkTarget, target_id: UUID) -> list[AssetLink]:
        found = [
            link
            for link in self.state.asset_links
            if link.target is target and link.target_id == target_id
        ]
        return sorted(found, key=lambda link: (link.role.value, link.linked_at, link.asset_id))

    async def link(self, link: AssetLink) -> None:
        if not link.role.single and any(
            (old.target, old.target_id, old.role, old.asset_id)
            == (link.target, link.target_id, link.role, link.asset_id)
            for old in self.state.asset_links
        ):
            return
        self.state.asset_links = [
            old
            for old in self.state.asset_links
            if not (
                old.target is link.target
                and old.target_id == link.target_id
                and old.role is link.role
                and (link.role.single or old.asset_id == link.asset_id)
            )
        ]
        self.state.asset_links.append(link)

    async def unlink(
        self, target: LinkTarget, target_id: UUID, role: LinkRole, asset_id: UUID | None = None
    ) -> bool:
        kept = [
            old
            for old in self.state.asset_links
            if not (
                old.target is target
                and old.target_id == target_id
                and old.role is role
                and (asset_id is None or old.asset_id == asset_id)
            )
        ]
        removed = len(kept) != len(self.state.asset_links)
        self.state.asset_links = kept
        return removed

    async def awaiting_upload_since(self, cutoff: datetime, limit: int) -> list[UUID]:
        waiting = [
            a
            for a in self.state.assets.values()
            if a.status is AssetStatus.AWAITING_UPLOAD and a.created_at < cutoff
        ]
        waiting.sort(key=lambda a: (a.created_at, a.id))
        return [a.id for a in waiting[:limit]]

    async def processing_since(self, cutoff: datetime, limit: int) -> list[UUID]:
        stuck = [
            a
            for a in self.state.assets.values()
            if a.status is AssetStatus.PROCESSING and a.updated_at < cutoff
        ]
        stuck.sort(key=lambda a: (a.updated_at, a.id))
        return [a.id for a in stuck[:limit]]

    async def holds_ticket(self, user_id: UUID, event_id: UUID) -> bool:
        return any(
            t.holder_id == user_id and t.event_id == event_id and t.voided_at is None
            for t in self.state.tickets.values()
        )

    async def purchased(self, user_id: UUID, asset_id: UUID) -> bool:
        asset = self.state.assets.get(asset_id)
        if asset is None or asset.entity_id is None:
            return False
        products = {
            p.id
            for p in self.state.products.values()
            if p.asset_id == asset_id and p.entity_id == asset.entity_id
        }
        return any(
            order.buyer_id == user_id
            and order.status in GRANTING
            and any(
                line.kind is LineKind.PRODUCT and line.item_id in products for line in order.lines
            )
            for order in self.state.orders.values()
        )
