"""A follow by hand: the follow row and the counter, two statements, no Core."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from showgeo_adapters.sqlalchemy.postgres.repository import PostgresRepository
from showgeo_adapters.sqlalchemy.repositories.follow import SqlFollowRepository
from showgeo_domain.follow.ports import FollowChange

_ADD = """INSERT INTO follows (user_id, entity_id, created_at) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING RETURNING user_id"""
_SHIFT = """UPDATE entities SET follower_count = follower_count + $1 WHERE id = $2
RETURNING follower_count"""


class PostgresFollowRepository(PostgresRepository, SqlFollowRepository):
    async def add(self, user_id: UUID, entity_id: UUID, at: datetime) -> FollowChange:
        driver = await self._driver()
        if driver is None:
            return await super().add(user_id, entity_id, at)
        if await driver.fetchval(_ADD, user_id, entity_id, at) is None:
            return FollowChange(changed=False, follower_count=await self.follower_count(entity_id))
        return FollowChange(changed=True, follower_count=await self._shift_count(entity_id, +1))

    async def _shift_count(self, entity_id: UUID, delta: int) -> int:
        driver = await self._driver()
        if driver is None:
            return await super()._shift_count(entity_id, delta)
        return int(await driver.fetchval(_SHIFT, delta, entity_id) or 0)
