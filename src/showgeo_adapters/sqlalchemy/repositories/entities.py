"""Entities and their memberships."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from showgeo_adapters.sqlalchemy.repositories._base import SqlRepository
from showgeo_adapters.sqlalchemy.tables import (
    asset_links,
    assets,
    entities,
    events,
    memberships,
    orders,
)
from showgeo_domain.entities.errors import EntityHasOrders, SlugTaken
from showgeo_domain.entities.model import Entity, EntityKind, MemberRole, Membership
from showgeo_domain.entities.ports import EntitySearch
from showgeo_domain.shared.errors import Conflict
from showgeo_domain.shared.pagination import Keyset, Page, PageRequest


def entity_of(row: Any) -> Entity:
    return Entity(
        id=row.id,
        name=row.name,
        slug=row.slug,
        kind=EntityKind(row.kind),
        created_at=row.created_at,
        updated_at=row.updated_at,
        bio=row.bio,
        verified=row.verified,
        verified_at=row.verified_at,
        verification_requested_at=row.verification_requested_at,
        follower_count=row.follower_count,
    )


def _entity_values(entity: Entity) -> dict[str, Any]:
    """Everything but `follower_count`, which only the follow repository writes."""
    return {
        "id": entity.id,
        "name": entity.name,
        "slug": entity.slug,
        "kind": entity.kind.value,
        "bio": entity.bio,
        "verified": entity.verified,
        "verified_at": entity.verified_at,
        "verification_requested_at": entity.verification_requested_at,
        "created_at": entity.created_at,
        "updated_at": entity.updated_at,
    }


def _like_pattern(q: str) -> str:
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _slug_taken() -> SlugTaken:
    return SlugTaken("this slug is taken", field="slug")


class SqlEntityRepository(SqlRepository):
    async def add(self, entity: Entity) -> None:
        await self._raise_if_slug_taken(entity)
        inserted = await self._conn.execute(
            self._insert_ignoring_conflicts(entities)
            .values(_entity_values(entity))
            .returning(entities.c.id)
        )
        if inserted.first() is None:
            await self._raise_if_slug_taken(entity)
            raise Conflict("this entity already exists")
        self._events.track(entity)

    async def update(self, entity: Entity) -> None:
        await self._raise_if_slug_taken(entity)
        values = _entity_values(entity)
        del values["id"], values["created_at"]
        statement = update(entities).where(entities.c.id == entity.id).values(values)
        try:
            # A savepoint, so a slug lost to a concurrent writer fails this statement only
            # instead of poisoning the caller's PostgreSQL transaction.
            async with self._conn.begin_nested():
                await self._conn.execute(statement)
        except IntegrityError as exc:
            raise _slug_taken() from exc
        self._events.track(entity)

    async def _raise_if_slug_taken(self, entity: Entity) -> None:
        query = select(exists().where(entities.c.slug == entity.slug, entities.c.id != entity.id))
        if await self._conn.scalar(query):
            raise _slug_taken()

    async def delete(self, entity_id: UUID) -> None:
        """Memberships, follows, events and the assets of the entity and of its events go with
        it through ON DELETE CASCADE. Orders RESTRICT the delete; they are checked first so
        the caller gets a 409, not an aborted transaction. Links to those assets (an avatar,
        a banner, a gallery, a cover, here or elsewhere) RESTRICT them too, so they are
        removed first, as deleting an asset or an event removes its links."""
        has_orders = select(exists().where(orders.c.entity_id == entity_id))
        if (await self._conn.execute(has_orders)).scalar():
            raise EntityHasOrders("an entity with orders cannot be deleted")
        its_events = select(events.c.id).where(events.c.entity_id == entity_id)
        own_assets = select(assets.c.id).where(
            or_(assets.c.entity_id == entity_id, assets.c.event_id.in_(its_events))
        )
        await self._conn.execute(delete(asset_links).where(asset_links.c.asset_id.in_(own_assets)))
        await self._conn.execute(delete(entities).where(entities.c.id == entity_id))

    async def get(self, entity_id: UUID, *, for_update: bool = False) -> Entity | None:
        """`for_update` is `SELECT ... FOR UPDATE` on PostgreSQL; SQLite ignores it, and
        needs nothing more since `BEGIN IMMEDIATE` already serialises its writers."""
        query = select(entities).where(entities.c.id == entity_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return entity_of(row) if row else None

    async def get_by_slug(self, slug: str) -> Entity | None:
        row = (await self._conn.execute(select(entities).where(entities.c.slug == slug))).first()
        return entity_of(row) if row else None

    async def get_many(self, entity_ids: Sequence[UUID]) -> dict[UUID, Entity]:
        if not entity_ids:
            return {}
        query = select(entities).where(entities.c.id.in_(set(entity_ids)))
        return {row.id: entity_of(row) for row in await self._conn.execute(query)}

    async def search(self, search: EntitySearch, page: PageRequest) -> Page[Entity]:
        query = select(entities)
        if search.q:
            pattern = _like_pattern(search.q)
            query = query.where(
                or_(
                    func.lower(entities.c.name).like(pattern, escape="\\"),
                    entities.c.slug.like(pattern, escape="\\"),
                )
            )
        if search.kind is not None:
            query = query.where(entities.c.kind == search.kind.value)
        if search.verified is not None:
            query = query.where(entities.c.verified.is_(search.verified))
        return await self._page(
            query,
            entities.c.created_at,
            entities.c.id,
            page,
            entity_of,
            lambda e: Keyset(e.created_at, e.id),
        )


def _membership(row: Any) -> Membership:
    return Membership(
        entity_id=row.entity_id,
        user_id=row.user_id,
        role=MemberRole(row.role),
        created_at=row.created_at,
    )


class SqlMembershipRepository(SqlRepository):
    async def list_for_entity(self, entity_id: UUID) -> list[Membership]:
        query = (
            select(memberships)
            .where(memberships.c.entity_id == entity_id)
            .order_by(memberships.c.created_at, memberships.c.user_id)
        )
        return [_membership(row) for row in await self._conn.execute(query)]

    async def list_for_user(self, user_id: UUID, page: PageRequest) -> Page[Membership]:
        return await self._page(
            select(memberships).where(memberships.c.user_id == user_id),
            memberships.c.created_at,
            memberships.c.entity_id,
            page,
            _membership,
            lambda m: Keyset(m.created_at, m.entity_id),
        )

    async def get(self, entity_id: UUID, user_id: UUID) -> Membership | None:
        query = select(memberships).where(
            memberships.c.entity_id == entity_id, memberships.c.user_id == user_id
        )
        row = (await self._conn.execute(query)).first()
        return _membership(row) if row else None

    async def add(self, membership: Membership) -> None:
        """Adding an existing member replaces the row, as the memory fake does; the `Roster`
        is what refuses duplicate members."""
        values = {
            "entity_id": membership.entity_id,
            "user_id": membership.user_id,
            "role": membership.role.value,
            "created_at": membership.created_at,
        }
        insert = self._dialect_insert(memberships).values(values)
        await self._conn.execute(
            insert.on_conflict_do_update(
                index_elements=[memberships.c.entity_id, memberships.c.user_id],
                set_={"role": insert.excluded.role, "created_at": insert.excluded.created_at},
            )
        )

    async def update(self, membership: Membership) -> None:
        await self._conn.execute(
            update(memberships)
            .where(
                memberships.c.entity_id == membership.entity_id,
                memberships.c.user_id == membership.user_id,
            )
            .values(role=membership.role.value, created_at=membership.created_at)
        )

    async def remove(self, entity_id: UUID, user_id: UUID) -> None:
        await self._conn.execute(
            delete(memberships).where(
                memberships.c.entity_id == entity_id, memberships.c.user_id == user_id
            )
        )
