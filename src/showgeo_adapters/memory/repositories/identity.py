"""Users and refresh-token families in memory."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from showgeo_adapters.memory.repositories._base import MemoryRepository, stored_copy
from showgeo_domain.identity.errors import EmailTaken, UsernameTaken
from showgeo_domain.identity.model import RefreshFamily, RefreshToken, User


class MemoryUserRepository(MemoryRepository):
    async def add(self, user: User) -> None:
        for other in self.state.users.values():
            if other.email == user.email:
                raise EmailTaken("an account with this email exists", field="email")
            if other.username == user.username:
                raise UsernameTaken("this username is taken", field="username")
        self.state.users[user.id] = stored_copy(user)
        self._events.track(user)

    async def update(self, user: User) -> None:
        self.state.users[user.id] = stored_copy(user)
        self._events.track(user)

    async def get(self, user_id: UUID) -> User | None:
        return copy.deepcopy(self.state.users.get(user_id))

    async def get_by_email(self, email: str) -> User | None:
        return next((copy.deepcopy(u) for u in self.state.users.values() if u.email == email), None)

    async def get_by_username(self, username: str) -> User | None:
        return next(
            (copy.deepcopy(u) for u in self.state.users.values() if u.username == username),
            None,
        )

    async def get_many(self, user_ids: Sequence[UUID]) -> dict[UUID, User]:
        return {i: copy.deepcopy(self.state.users[i]) for i in user_ids if i in self.state.users}


class MemoryRefreshTokenRepository(MemoryRepository):
    async def add_family(self, family: RefreshFamily) -> None:
        self.state.refresh_families[family.id] = copy.copy(family)

    async def get_family(self, family_id: UUID) -> RefreshFamily | None:
        return copy.copy(self.state.refresh_families.get(family_id))

    async def revoke_family(self, family_id: UUID, at: datetime) -> None:
        family = self.state.refresh_families.get(family_id)
        if family is not None and family.revoked_at is None:
            family.revoked_at = at

    async def revoke_all(self, user_id: UUID, at: datetime) -> list[UUID]:
        revoked = []
        for family in self.state.refresh_families.values():
            if family.user_id == user_id and family.revoked_at is None:
                family.revoked_at = at
                revoked.append(family.id)
        return revoked

    async def add(self, token: RefreshToken) -> None:
        self.state.refresh_tokens[token.id] = copy.copy(token)

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None:
        return next(
            (
                copy.copy(t)
                for t in self.state.refresh_tokens.values()
                if t.token_hash == token_hash
            ),
            None,
        )

    async def mark_used(self, token_id: UUID, at: datetime) -> bool:
        token = self.state.refresh_tokens.get(token_id)
        if token is None or token.used_at is not None:
            return False
        token.used_at = at
        return True
