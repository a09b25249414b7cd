"""Users and the refresh-token families that keep them signed in.

A refresh token is single-use. Using it yields a new token in the same family; presenting a
used one again means two parties hold it, so the family dies (OAuth 2.0 Security BCP §4.14).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from showgeo_domain.identity.domain_events import UserProfileUpdated, UserRegistered
from showgeo_domain.shared.domain_events import DomainEvent, RecordsEvents
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.text import optional_text, required_text

EMAIL_MAX = 254
USERNAME_PATTERN = r"^[a-z0-9_]{3,30}$"
PASSWORD_MIN = 8
PASSWORD_MAX = 128
DISPLAY_NAME_MAX = 80
BIO_MAX = 500

_EMAIL = re.compile(
    r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_USERNAME = re.compile(USERNAME_PATTERN)


class Role(StrEnum):
    USER = "USER"
    ADMIN = "ADMIN"


def normalize_email(raw: str) -> str:
    email = raw.strip().lower()
    if len(email) > EMAIL_MAX or not _EMAIL.fullmatch(email):
        raise InvalidInput("email is not a valid address", field="email")
    return email


def normalize_username(raw: str) -> str:
    """Usernames are case-insensitive: stored lower-case so `Ana` and `ana` are one name."""
    username = raw.strip().lower()
    if not _USERNAME.fullmatch(username):
        raise InvalidInput(
            "username must be 3-30 characters: letters, digits or underscore", field="username"
        )
    return username


def check_password(raw: str) -> None:
    if not PASSWORD_MIN <= len(raw) <= PASSWORD_MAX:
        raise InvalidInput(
            f"password must be {PASSWORD_MIN}-{PASSWORD_MAX} characters", field="password"
        )


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is calling, as proven by an access token."""

    user_id: UUID
    roles: frozenset[Role] = frozenset({Role.USER})

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles


@dataclass(eq=False)
class User(RecordsEvents):
    id: UUID
    email: str
    username: str
    password_hash: str
    display_name: str
    created_at: datetime
    updated_at: datetime
    bio: str | None = None
    is_private: bool = False
    roles: frozenset[Role] = frozenset({Role.USER})
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def register(
        cls,
        *,
        email: str,
        username: str,
        password_hash: str,
        display_name: str | None,
        now: datetime,
        roles: frozenset[Role] = frozenset({Role.USER}),
    ) -> User:
        username = normalize_username(username)
        user = cls(
            id=new_id(),
            email=normalize_email(email),
            username=username,
            password_hash=password_hash,
            display_name=optional_text(
                display_name, field="display_name", max_length=DISPLAY_NAME_MAX
            )
            or username,
            created_at=now,
            updated_at=now,
            roles=roles,
        )
        user.record(UserRegistered(occurred_at=now, user_id=user.id, username=user.username))
        return user

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def as_actor(self) -> Actor:
        return Actor(self.id, self.roles)

    def update_profile(
        self,
        *,
        now: datetime,
        display_name: str | None = None,
        bio: str | None = None,
        is_private: bool | None = None,
        clear_bio: bool = False,
    ) -> None:
        changed: list[str] = []
        if display_name is not None:
            self.display_name = required_text(
                display_name, field="display_name", max_length=DISPLAY_NAME_MAX
            )
            changed.append("display_name")
        if bio is not None or clear_bio:
            self.bio = optional_text(bio, field="bio", max_length=BIO_MAX)
            changed.append("bio")
        if is_private is not None:
            self.is_private = is_private
            changed.append("is_private")
        if changed:
            self.updated_at = now
            self.record(UserProfileUpdated(occurred_at=now, user_id=self.id, fields=changed))

    def grant(self, role: Role, now: datetime) -> None:
        self.roles = self.roles | {role}
        self.updated_at = now

    def visible_to(self, viewer: Actor | None) -> bool:
        """Whether `viewer` may see the full profile rather than the private summary."""
        return not self.is_private or (
            viewer is not None and (viewer.user_id == self.id or viewer.is_admin)
        )


def new_refresh_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_secret(secret: str) -> str:
    """A fast hash is right here: the secret has 256 random bits, so there is nothing to
    brute-force, and lookups stay one indexed equality."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(eq=False, slots=True)
class RefreshFamily:
    """All refresh tokens descending from one login; revoked as a unit."""

    id: UUID
    user_id: UUID
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(eq=False, slots=True)
class RefreshToken:
    id: UUID
    family_id: UUID
    user_id: UUID
    token_hash: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    @classmethod
    def issue(
        cls, *, family: RefreshFamily, now: datetime, ttl: timedelta
    ) -> tuple[RefreshToken, str]:
        """A new token and its secret; only the hash is kept, the secret goes to the client."""
        secret = new_refresh_secret()
        token = cls(
            id=new_id(),
            family_id=family.id,
            user_id=family.user_id,
            token_hash=hash_refresh_secret(secret),
            issued_at=now,
            expires_at=now + ttl,
        )
        return token, secret


class RotationVerdict(StrEnum):
    ROTATE = "ROTATE"
    REUSED = "REUSED"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"


def rotation_verdict(token: RefreshToken, family: RefreshFamily, now: datetime) -> RotationVerdict:
    """What presenting `token` at `now` means. Reuse wins over expiry: a replayed token is
    evidence of theft even when it has also expired."""
    if family.is_revoked:
        return RotationVerdict.REVOKED
    if token.used_at is not None:
        return RotationVerdict.REUSED
    if now >= token.expires_at:
        return RotationVerdict.EXPIRED
    return RotationVerdict.ROTATE


PASSWORD_RESET_TTL = timedelta(minutes=30)


def password_reset_token(sign: Callable[[str], str], reset_id: UUID, expires_at: datetime) -> str:
    """The secret in a reset link: the reset's id and expiry, signed with the server's key.
    The same inputs give the same token, so the mail consumer derives it again on a retry
    and nothing but its hash is ever stored."""
    body = f"{reset_id.hex}.{int(expires_at.timestamp())}"
    return f"{body}.{sign(f'password-reset:{body}')}"


@dataclass(eq=False, slots=True)
class PasswordReset:
    """One reset link: works once, until `expires_at`."""

    id: UUID
    user_id: UUID
    token_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    @classmethod
    def issue(
        cls, *, user_id: UUID, now: datetime, sign: Callable[[str], str], ttl: timedelta
    ) -> PasswordReset:
        reset_id, expires_at = new_id(), now + ttl
        token = password_reset_token(sign, reset_id, expires_at)
        return cls(
            id=reset_id,
            user_id=user_id,
            token_hash=hash_refresh_secret(token),
            created_at=now,
            expires_at=expires_at,
        )

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at
