"""A follow is a fact, not an aggregate with behaviour: it exists or it does not.

Following twice or unfollowing what is not followed is a no-op, so clients can retry freely;
only a real change raises an event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from showgeo_domain.shared.pagination import Keyset


@dataclass(frozen=True, slots=True)
class Follow:
    user_id: UUID
    entity_id: UUID
    created_at: datetime

    def follower_key(self) -> Keyset:
        return Keyset(self.created_at, self.user_id)

    def following_key(self) -> Keyset:
        return Keyset(self.created_at, self.entity_id)


@dataclass(frozen=True, slots=True)
class FollowStatus:
    following: bool
    follower_count: int
