"""Users and refresh tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update

from showgeo_adapters.sqlalchemy.repositories._base import SqlRepository
from showgeo_adapters.sqlalchemy.tables import refresh_families, refresh_tokens, users
from showgeo_domain.identity.errors import EmailTaken, UsernameTaken
from showgeo_domain.identity.model import RefreshFamily, RefreshToken, Role, User
from showgeo_domain.shared.errors import Conflict


def _roles_out(roles: frozenset[Role]) -> str:
    return ",".join(sorted(role.value for role in roles))


def _roles_in(text: str) -> frozenset[Role]:
    return frozenset(Role(part) for part in text.split(",") if part)


def _user(row: Any) -> User:
    return User(
        id=row.id,
        email=row.email,
        username=row.username,
        password_hash=row.password_hash,
        display_name=row.display_name,
        created_at=row.created_at,
        updated_at=row.updated_at,
        bio=row.bio,
        is_private=row.is_private,
        roles=_roles_in(row.roles),
    )


def _user_values(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "username": user.username,
        "password_hash": user.password_hash,
        "display_name": user.display_name,
        "bio": user.bio,
        "is_private": user.is_private,
        "roles": _roles_out(user.roles),
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    }


class SqlUserRepository(SqlRepository):
    async def add(self, user: User) -> None:
        await self._raise_if_taken(user)
        inserted = await self._conn.execute(
            self._insert_ignoring_conflicts(users).values(_user_values(user)).returning(users.c.id)
        )
        if inserted.first() is None:
            # Lost a race with a concurrent registration that committed after our check.
            await self._raise_if_taken(user)
            raise Conflict("this user already exists")
        self._events.track(user)

    async def _raise_if_taken(self, user: User) -> None:
        found = await self._conn.execute(
            select(users.c.email, users.c.username).where(
                (users.c.email == user.email) | (users.c.username == user.username)
            )
        )
        rows = found.all()
        if any(row.email == user.email for row in rows):
            raise EmailTaken("an account with this email exists", field="email")
        if rows:
            raise UsernameTaken("this username is taken", field="username")

    async def update(self, user: User) -> None:
        values = _user_values(user)
        del values["id"]
        await self._conn.execute(update(users).where(users.c.id == user.id).values(values))
        self._events.track(user)

    async def get(self, user_id: UUID) -> User | None:
        row = (await self._conn.execute(select(users).where(users.c.id == user_id))).first()
        return _user(row) if row else None

    async def get_by_email(self, email: str) -> User | None:
        row = (await self._conn.execute(select(users).where(users.c.email == email))).first()
        return _user(row) if row else None

    async def get_by_username(self, username: str) -> User | None:
        query = select(users).where(users.c.username == username)
        row = (await self._conn.execute(query)).first()
        return _user(row) if row else None

    async def get_many(self, user_ids: Sequence[UUID]) -> dict[UUID, User]:
        if not user_ids:
            return {}
        query = select(users).where(users.c.id.in_(set(user_ids)))
        return {row.id: _user(row) for row in await self._conn.execute(query)}


class SqlRefreshTokenRepository(SqlRepository):
    async def add_family(self, family: RefreshFamily) -> None:
        await self._conn.execute(
            refresh_families.insert().values(
                id=family.id,
                user_id=family.user_id,
                created_at=family.created_at,
                revoked_at=family.revoked_at,
            )
        )

    async def get_family(self, family_id: UUID) -> RefreshFamily | None:
        query = select(refresh_families).where(refresh_families.c.id == family_id)
        row = (await self._conn.execute(query)).first()
        if row is None:
            return None
        return RefreshFamily(
            id=row.id, user_id=row.user_id, created_at=row.created_at, revoked_at=row.revoked_at
        )

    async def revoke_family(self, family_id: UUID, at: datetime) -> None:
        """The first revocation's time is kept: it is when the family actually died."""
        await self._conn.execute(
            update(refresh_families)
            .where(refresh_families.c.id == family_id, refresh_families.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    async def revoke_all(self, user_id: UUID, at: datetime) -> list[UUID]:
        live = refresh_families.c.user_id == user_id, refresh_families.c.revoked_at.is_(None)
        ids = list((await self._conn.execute(select(refresh_families.c.id).where(*live))).scalars())
        if ids:
            await self._conn.execute(
                update(refresh_families)
                .where(refresh_families.c.id.in_(ids), refresh_families.c.revoked_at.is_(None))
                .values(revoked_at=at)
            )
        return ids

    async def add(self, token: RefreshToken) -> None:
        await self._conn.execute(
            refresh_tokens.insert().values(
                id=token.id,
                family_id=token.family_id,
                user_id=token.user_id,
                token_hash=token.token_hash,
                issued_at=token.issued_at,
                expires_at=token.expires_at,
                used_at=token.used_at,
            )
        )

    async def get_by_hash(self, token_hash: str) -> RefreshToken | None:
        query = select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash)
        row = (await self._conn.execute(query)).first()
        if row is None:
            return None
        return RefreshToken(
            id=row.id,
            family_id=row.family_id,
            user_id=row.user_id,
            token_hash=row.token_hash,
            issued_at=row.issued_at,
            expires_at=row.expires_at,
            used_at=row.used_at,
        )

    async def mark_used(self, token_id: UUID, at: datetime) -> bool:
        """A conditional update: on PostgreSQL a concurrent second caller blocks on the row
        lock, then re-checks `used_at IS NULL` against the committed row and updates nothing."""
        marked = await self._conn.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.id == token_id, refresh_tokens.c.used_at.is_(None))
            .values(used_at=at)
            .returning(refresh_tokens.c.id)
        )
        return marked.first() is not None
