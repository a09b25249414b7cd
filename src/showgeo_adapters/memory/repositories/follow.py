"""Follows in memory; counts are computed, so they are exact by construction."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from showgeo_adapters.memory.repositories._base import MemoryRepository, newest_first_page
from showgeo_domain.follow.model import Follow
from showgeo_domain.follow.ports import FollowChange
from showgeo_domain.shared.pagination import Page, PageRequest


class MemoryFollowRepository(MemoryRepository):
    async def add(self, user_id: UUID, entity_id: UUID, at: datetime) -> FollowChange:
        changed = (user_id, entity_id) not in self.state.follows
        if changed:
            self.state.follows[(user_id, entity_id)] = Follow(user_id, entity_id, at)
        return FollowChange(changed, await self.follower_count(entity_id))

    async def remove(self, user_id: UUID, entity_id: UUID) -> FollowChange:
        changed = self.state.follows.pop((user_id, entity_id), None) is not None
        return FollowChange(changed, await self.follower_count(entity_id))

    async def is_following(self, user_id: UUID, entity_id: UUID) -> bool:
        return (user_id, entity_id) in self.state.follows

    async def follower_count(self, entity_id: UUID) -> int:
        return sum(1 for (_, e) in self.state.follows if e == entity_id)

    async def list_followers(self, entity_id: UUID, page: PageRequest) -> Page[Follow]:
        rows = [f for f in self.state.follows.values() if f.entity_id == entity_id]
        return newest_first_page(rows, page, Follow.follower_key)

    async def list_following(self, user_id: UUID, page: PageRequest) -> Page[Follow]:
        rows = [f for f in self.state.follows.values() if f.user_id == user_id]
        return newest_first_page(rows, page, Follow.following_key)
