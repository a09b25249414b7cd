"""Follows, with the entity's follower counter kept in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, exists, select, update

from showgeo_adapters.sqlalchemy.repositories._base import SqlRepository
from showgeo_adapters.sqlalchemy.tables import entities, follows
from showgeo_domain.follow.model import Follow
from showgeo_domain.shared.pagination import Page, PageRequest

_ADD = """INSERT INTO follows (user_id, entity_id, created_at) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING RETURNING user_id"""
_SHIFT = """UPDATE entities SET follower_count = follower_count + $1 WHERE id = $2
RETURNING follower_count"""


def _follow(row: Any) -> Follow:
    return Follow(user_id=row.user_id, entity_id=row.entity_id, created_at=row.created_at)


class SqlFollowRepository(SqlRepository):
    """The counter changes only when a row really appeared or disappeared, and by a relative
    `SET n = n ± 1`, so concurrent follows never lose an update and the counter always equals
    `count(*)` of the rows.

    The counter's new value comes back from that UPDATE (`RETURNING`) and answers the next
    `follower_count` of the same entity: the row stays locked by this transaction until it
    ends, so no one else can have changed it, and a follow costs one round trip less."""

    _shifted: dict[UUID, tuple[object, int]] | None = None

    async def add(self, user_id: UUID, entity_id: UUID, at: datetime) -> bool:
        if driver := await self._driver():
            if await driver.fetchval(_ADD, user_id, entity_id, at) is None:
                return False
            await self._shift_count(entity_id, +1)
            return True
        inserted = await self._conn.execute(
            self._insert_ignoring_conflicts(follows)
            .values(user_id=user_id, entity_id=entity_id, created_at=at)
            .returning(follows.c.user_id)
        )
        if inserted.first() is None:
            return False
        await self._shift_count(entity_id, +1)
        return True

    async def remove(self, user_id: UUID, entity_id: UUID) -> bool:
        removed = await self._conn.execute(
            delete(follows)
            .where(follows.c.user_id == user_id, follows.c.entity_id == entity_id)
            .returning(follows.c.user_id)
        )
        if removed.first() is None:
            return False
        await self._shift_count(entity_id, -1)
        return True

    async def _shift_count(self, entity_id: UUID, delta: int) -> None:
        if driver := await self._driver():
            count = await driver.fetchval(_SHIFT, delta, entity_id)
        else:
            count = await self._conn.scalar(
                update(entities)
                .where(entities.c.id == entity_id)
                .values(follower_count=entities.c.follower_count + delta)
                .returning(entities.c.follower_count)
            )
        if count is not None:
            if self._shifted is None:
                self._shifted = {}
            self._shifted[entity_id] = (self._transaction(), int(count))

    def _transaction(self) -> object:
        """The transaction now open (a commit or rollback ends it: its value is then stale)."""
        return self._conn.sync_connection.get_transaction() if self._conn.sync_connection else None

    async def is_following(self, user_id: UUID, entity_id: UUID) -> bool:
        query = select(
            exists().where(follows.c.user_id == user_id, follows.c.entity_id == entity_id)
        )
        return bool(await self._conn.scalar(query))

    async def follower_count(self, entity_id: UUID) -> int:
        if self._shifted is not None and entity_id in self._shifted:
            transaction, count = self._shifted.pop(entity_id)
            if transaction is not None and transaction is self._transaction():
                return count
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
