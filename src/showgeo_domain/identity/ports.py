"""What identity needs from the outside world."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

import msgspec

from showgeo_domain.identity.model import RefreshFamily, RefreshToken, Role, User
from showgeo_domain.shared.unit_of_work import UnitOfWork


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool:
        """False on mismatch; never raises for a wrong password."""
        ...

    def needs_rehash(self, password_hash: str) -> bool: ...


class AccessClaims(msgspec.Struct, frozen=True):
    user_id: UUID
    roles: frozenset[Role]
    token_id: str
    expires_at: datetime


class IssuedAccessToken(msgspec.Struct, frozen=True):
    token: str
    expires_in: int


class AccessTokenService(Protocol):
    def issue(self, user: User, now: datetime) -> IssuedAccessToken: ...

    def verify(self, token: str, now: datetime) -> AccessClaims:
        """Claims of a valid token; raises `InvalidAccessToken` otherwise."""
        ...


class UserRepository(Protocol):
    async def add(self, user: User) -> None:
        """Raises EmailTaken/UsernameTaken when another user holds either."""
        ...

    async def update(self, user: User) -> None: ...

    async def get(self, user_id: UUID) -> User | None: ...

    async def get_by_email(self, email: str) -> User | None: ...

    async def get_by_username(self, username: str) -> User | None: ...

    async def get_many(self, user_ids: Sequence[UUID]) -> dict[UUID, User]: ...


class RefreshTokenRepository(Protocol):
    async def add_family(self, family: RefreshFamily) -> None: ...

    async def get_family(self, family_id: UUID) -> RefreshFamily | None: ...

    async def revoke_family(self, family_id: UUID, at: datetime) -> None: ...

    async def add(self, token: RefreshToken) -> None: ...

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None: ...

    async def mark_used(self, token_id: UUID, at: datetime) -> bool:
        """Atomically mark an unused token used; False when it was already used, which is how
        two concurrent refreshes with one token are told apart from a legitimate rotation."""
        ...


class UsersUnitOfWork(UnitOfWork, Protocol):
    """What looking a user up needs (`find_user`): the contexts above extend it."""

    users: UserRepository


class IdentityUnitOfWork(UsersUnitOfWork, Protocol):
    """What the identity use cases need: accounts and their refresh tokens."""

    refresh_tokens: RefreshTokenRepository
