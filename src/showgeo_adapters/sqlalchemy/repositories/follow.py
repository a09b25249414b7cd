"""Follows, with the entity's follower counter kept in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, exists, select, update

from showgeo_adapters.sqlalchemy.repositories._base import SqlRepository
from showgeo_adapters.sqlalchemy.tables import entities, follows
from showgeo_domain.follow.model import Follow
from showgeo_domain.follow.ports import FollowChange
from showgeo_domain.shared.pagination import Page, PageRequest


def _follow(row: Any) -> Follow:
    return Follow(user_id=row.user_id, entity_id=row.entity_id, created_at=row.created_at)


class SqlFollowRepository(SqlRepository):
    """The counter changes only when a row really appeared or disappeared, and by a relative
    `SET n = n ± 1`, so concurrent follows never lose an update and the counter always equals
    `count(*)` of the rows. Its new value comes back from that UPDATE (`RETURNING`): the row
    stays locked by this transaction until it ends, so `add` and `remove` answer the count
    without reading it again."""

    async def add(self, user_id: UUID, entity_id: UUID, at: datetime) -> FollowChange:
        inserted = await self._conn.execute(
            self._insert_ignoring_conflicts(follows)
            .values(user_id=user_id, entity_id=entity_id, created_at=at)
            .returning(follows.c.user_id)
        )
        if inserted.first() is None:
            return FollowChange(changed=False, follower_count=await self.follower_count(entity_id))
        return FollowChange(changed=True, follower_count=await self._shift_count(entity_id, +1))

    async def remove(self, user_id: UUID, entity_id: UUID) -> FollowChange:
        removed = await self._conn.execute(
            delete(follows)
            .where(follows.c.user_id == user_id, follows.c.entity_id == entity_id)
            .returning(follows.c.user_id)
        )
        if removed.first() is None:
            return FollowChange(changed=False, follower_count=await self.follower_count(entity_id))
        return FollowChange(changed=True, follower_count=await self._shift_count(entity_id, -1))

    async def _shift_count(self, entity_id: UUID, delta: int) -> int:
        """Moves the counter by `delta`; its new value (0 for an entity gone meanwhile)."""
        count = await self._conn.scalar(
            update(entities)
            .where(entities.c.id == entity_id)
            .values(follower_count=entities.c.follower_count + delta)
            .returning(entities.c.follower_count)
        )
        return int(count or 0)

    async def is_following(self, user_id: UUID, entity_id: UUID) -> bool:
        query = select(
            exists().where(follows.c.user_id == user_id, follows.c.entity_id == entity_id)
        )
        return bool(await self._conn.scalar(query))

    async def follower_count(self, entity_id: UUID) -> int:
        query = select(entities.c.follower_count).where(entities.c.id == entity_id)
        return int(await self._conn.scalar(query) or 0)

    async def list_followers(self, entity_id: UUID, page: PageRequest) -> Page[Follow]:
        return await self._page(
            select(follows).where(follows.c.entity_id == entity_id),
            follows.c.created_at,
            follows.c.user_id,
            page,
            _follow,
            Follow.follower_key,
        )

    async def list_following(self, user_id: UUID, page: PageRequest) -> Page[Follow]:
        return await self._page(
            select(follows).where(follows.c.user_id == user_id),
            follows.c.created_at,
            follows.c.entity_id,
            page,
            _follow,
            Follow.following_key,
        )
