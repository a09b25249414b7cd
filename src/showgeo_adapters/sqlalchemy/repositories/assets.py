"""Assets in SQL. Variants are a JSON list in the row (they are owned by it and read with it).
The access lookups are single EXISTS queries over tickets and paid order lines."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import ColumnElement, and_, delete, exists, or_, select, update

from showgeo_adapters.sqlalchemy.repositories._base import SqlRepository
from showgeo_adapters.sqlalchemy.tables import (
    asset_links,
    assets,
    entities,
    events,
    order_lines,
    orders,
    products,
    tickets,
    users,
)
from showgeo_domain.assets.formats import AssetKind
from showgeo_domain.assets.image_links import AssetLink, LinkRole, LinkTarget
from showgeo_domain.assets.model import Asset, AssetStatus, AssetVisibility, Variant
from showgeo_domain.orders.model import LineKind, OrderStatus

GRANTING = (OrderStatus.PAID.value, OrderStatus.PARTIALLY_REFUNDED.value)

_variants = msgspec.json.Decoder(list[Variant])


def _asset(row: Any) -> Asset:
    return Asset(
        id=row.id,
        owner_id=row.owner_id,
        kind=AssetKind(row.kind),
        visibility=AssetVisibility(row.visibility),
        status=AssetStatus(row.status),
        key=row.key,
        content_type=row.content_type,
        size=row.size,
        filename=row.filename,
        entity_id=row.entity_id,
        event_id=row.event_id,
        width=row.width,
        height=row.height,
        failure_reason=row.failure_reason,
        variants=_variants.decode(row.variants),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _values(asset: Asset) -> dict[str, Any]:
    return {
        "id": asset.id,
        "owner_id": asset.owner_id,
        "kind": asset.kind.value,
        "visibility": asset.visibility.value,
        "status": asset.status.value,
        "key": asset.key,
        "content_type": asset.content_type,
        "size": asset.size,
        "filename": asset.filename,
        "entity_id": asset.entity_id,
        "event_id": asset.event_id,
        "width": asset.width,
        "height": asset.height,
        "failure_reason": asset.failure_reason,
        "variants": msgspec.json.encode(asset.variants).decode(),
        "created_at": asset.created_at,
        "updated_at": asset.updated_at,
    }


def _link(row: Any) -> AssetLink:
    return AssetLink(
        target=LinkTarget(row.target),
        target_id=row.target_id,
        role=LinkRole(row.role),
        asset_id=row.asset_id,
        linked_at=row.linked_at,
    )


def _target_exists() -> ColumnElement[bool]:
    """The link's user, entity or event still exists (there is no foreign key to say so)."""
    k = asset_links.c
    return or_(
        and_(k.target == LinkTarget.USER.value, exists().where(users.c.id == k.target_id)),
        and_(k.target == LinkTarget.ENTITY.value, exists().where(entities.c.id == k.target_id)),
        and_(k.target == LinkTarget.EVENT.value, exists().where(events.c.id == k.target_id)),
    )


class SqlAssetRepository(SqlRepository):
    async def add(self, asset: Asset) -> None:
        await self._conn.execute(assets.insert().values(_values(asset)))
        self._events.track(asset)

    async def update(self, asset: Asset) -> None:
        values = _values(asset)
        del values["id"], values["owner_id"], values["created_at"]
        await self._conn.execute(update(assets).where(assets.c.id == asset.id).values(values))
        self._events.track(asset)

    async def get(self, asset_id: UUID, *, for_update: bool = False) -> Asset | None:
        query = select(assets).where(assets.c.id == asset_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return _asset(row) if row else None

    async def delete(self, asset_id: UUID) -> None:
        """With any links left to targets that no longer exist."""
        await self._conn.execute(delete(asset_links).where(asset_links.c.asset_id == asset_id))
        await self._conn.execute(delete(assets).where(assets.c.id == asset_id))

    async def uses(self, asset_id: UUID) -> list[str]:
        rows = await self._conn.execute(
            select(products.c.id).where(products.c.asset_id == asset_id).order_by(products.c.id)
        )
        used = [f"product:{r.id}" for r in rows]
        links = await self._conn.execute(
            select(asset_links).where(asset_links.c.asset_id == asset_id, _target_exists())
        )
        used.extend(_link(r).describe() for r in links)
        return sorted(used)

    async def links_of(self, target: LinkTarget, target_id: UUID) -> list[AssetLink]:
        k = asset_links.c
        rows = await self._conn.execute(
            select(asset_links)
            .where(k.target == target.value, k.target_id == target_id)
            .order_by(k.role, k.linked_at, k.asset_id)
        )
        return [_link(r) for r in rows]

    async def link(self, link: AssetLink) -> None:
        if link.role.single:
            await self.unlink(link.target, link.target_id, link.role)
        await self._conn.execute(
            self._insert_ignoring_conflicts(asset_links).values(
                target=link.target.value,
                target_id=link.target_id,
                role=link.role.value,
                asset_id=link.asset_id,
                linked_at=link.linked_at,
            )
        )

    async def unlink(
        self, target: LinkTarget, target_id: UUID, role: LinkRole, asset_id: UUID | None = None
    ) -> bool:
        k = asset_links.c
        query = delete(asset_links).where(
            k.target == target.value, k.target_id == target_id, k.role == role.value
        )
        if asset_id is not None:
            query = query.where(k.asset_id == asset_id)
        result = await self._conn.execute(query)
        return bool(result.rowcount)

    async def awaiting_upload_since(self, cutoff: datetime, limit: int) -> list[UUID]:
        rows = await self._conn.execute(
            select(assets.c.id)
            .where(
                assets.c.status == AssetStatus.AWAITING_UPLOAD.value,
                assets.c.created_at < cutoff,
            )
            .order_by(assets.c.created_at, assets.c.id)
            .limit(limit)
        )
        return [r.id for r in rows]

    async def processing_since(self, cutoff: datetime, limit: int) -> list[UUID]:
        rows = await self._conn.execute(
            select(assets.c.id)
            .where(
                assets.c.status == AssetStatus.PROCESSING.value,
                assets.c.updated_at < cutoff,
            )
            .order_by(assets.c.updated_at, assets.c.id)
            .limit(limit)
        )
        return [r.id for r in rows]

    async def holds_ticket(self, user_id: UUID, event_id: UUID) -> bool:
        query = select(
            exists().where(
                tickets.c.holder_id == user_id,
                tickets.c.event_id == event_id,
                tickets.c.voided_at.is_(None),
            )
        )
        return bool((await self._conn.execute(query)).scalar())

    async def purchased(self, user_id: UUID, asset_id: UUID) -> bool:
        query = select(
            exists()
            .select_from(
                order_lines.join(orders, orders.c.id == order_lines.c.order_id)
                .join(
                    products,
                    and_(
                        products.c.id == order_lines.c.item_id,
                        order_lines.c.kind == LineKind.PRODUCT.value,
                    ),
                )
                .join(
                    assets,
                    and_(
                        assets.c.id == products.c.asset_id,
                        assets.c.entity_id == products.c.entity_id,
                    ),
                )
            )
            .where(
                orders.c.buyer_id == user_id,
                orders.c.status.in_(GRANTING),
                assets.c.id == asset_id,
            )
        )
        return bool((await self._conn.execute(query)).scalar())
