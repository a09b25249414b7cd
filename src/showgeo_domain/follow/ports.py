from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from showgeo_domain.entities.ports import EntitiesUnitOfWork
from showgeo_domain.follow.model import Follow
from showgeo_domain.shared.pagination import Page, PageRequest


@dataclass(frozen=True, slots=True)
class FollowChange:
    """What a follow or an unfollow did: whether a follow row appeared (or went), and the
    entity's follower count after it, in the same transaction."""

    changed: bool
    follower_count: int


class FollowRepository(Protocol):
    """Follower counts are part of this port so an adapter can keep a counter column in the
    same transaction as the follow rows (exact under concurrency, cheap to read). `add` and
    `remove` answer the new count themselves: an adapter that moves the counter learns it
    from that very statement."""

    async def add(self, user_id: UUID, entity_id: UUID, at: datetime) -> FollowChange:
        """`changed` when the follow is new, not when it already existed."""
        ...

    async def remove(self, user_id: UUID, entity_id: UUID) -> FollowChange:
        """`changed` when a follow was removed."""
        ...

    async def is_following(self, user_id: UUID, entity_id: UUID) -> bool: ...

    async def follower_count(self, entity_id: UUID) -> int: ...

    async def list_followers(self, entity_id: UUID, page: PageRequest) -> Page[Follow]:
        """Newest followers first."""
        ...

    async def list_following(self, user_id: UUID, page: PageRequest) -> Page[Follow]:
        """Most recently followed first."""
        ...


class FollowUnitOfWork(EntitiesUnitOfWork, Protocol):
    """What the follow use cases need: follows, and the entities and users they join."""

    follows: FollowRepository
