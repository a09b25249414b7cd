from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from showgeo_domain.shared.domain_events import DomainEvent


class FollowEvent(DomainEvent, frozen=True, kw_only=True):
    context: ClassVar[str] = "follow"


class EntityFollowed(FollowEvent, frozen=True, kw_only=True):
    entity_id: UUID
    user_id: UUID


class EntityUnfollowed(FollowEvent, frozen=True, kw_only=True):
    entity_id: UUID
    user_id: UUID
