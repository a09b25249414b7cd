from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from showgeo_domain.shared.domain_events import DomainEvent


class IdentityEvent(DomainEvent, frozen=True, kw_only=True):
    context: ClassVar[str] = "identity"


class UserRegistered(IdentityEvent, frozen=True, kw_only=True):
    user_id: UUID
    username: str


class UserProfileUpdated(IdentityEvent, frozen=True, kw_only=True):
    user_id: UUID
    fields: list[str]


class RefreshFamilyRevoked(IdentityEvent, frozen=True, kw_only=True):
    """Security signal: raised on logout and on detected refresh-token theft."""

    user_id: UUID
    family_id: UUID
    reason: str
