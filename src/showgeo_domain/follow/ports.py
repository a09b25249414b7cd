from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from showgeo_domain.entities.ports import EntitiesUnitOfWork
from showgeo_domain.follow.model import Follow
from showgeo_domain.shared.pagination import Page, PageRequest


class FollowRepository(Protocol):
    """Follower counts are part of this port so an adapter can keep a counter column in the
    same transaction as the follow rows (exact under concurrency, cheap to read)."""

    async def add(self, user_id: UUID, entity_id: UUID, at: datetime) -> bool:
        """True when the follow is new, False when it already existed."""
        ...

    async def remove(self, user_id: UUID, entity_id: UUID) -> bool:
        """True when a follow was removed."""
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
