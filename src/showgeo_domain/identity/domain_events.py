from __future__ import annotations

from datetime import datetime
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
    """Security signal: raised on logout, on detected refresh-token theft and, for every
    family of the account, on a password reset (`reason`: `logout`, `reuse_detected`,
    `password_reset`)."""

    user_id: UUID
    family_id: UUID
    reason: str


class PasswordResetRequested(IdentityEvent, frozen=True, kw_only=True):
    """Someone asked for a reset link for this account. Carries no secret: the mail
    consumer derives the link from the reset's id and expiry with the server's key."""

    user_id: UUID
    reset_id: UUID
    expires_at: datetime


class PasswordChanged(IdentityEvent, frozen=True, kw_only=True):
    user_id: UUID
    reason: str
