"""Assets in memory, with the same access lookups as the SQL adapter (tickets, purchases)."""

from __future__ import annotations

import copy
from uuid import UUID

from showgeo_adapters.memory.repositories._base import MemoryRepository
from showgeo_domain.assets.model import Asset
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
        self.state.assets.pop(asset_id, None)

    async def uses(self, asset_id: UUID) -> list[str]:
        return sorted(
            f"product:{p.id}" for p in self.state.products.values() if p.asset_id == asset_id
        )

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
