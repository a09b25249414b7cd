"""Identity use cases: sign-up, sessions with rotating refresh tokens, profiles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from showgeo_domain.identity.domain_events import RefreshFamilyRevoked
from showgeo_domain.identity.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidRefreshToken,
    RefreshTokenReused,
    UsernameTaken,
)
from showgeo_domain.identity.model import (
    Actor,
    RefreshFamily,
    RefreshToken,
    Role,
    RotationVerdict,
    User,
    check_password,
    hash_refresh_secret,
    new_refresh_secret,
    normalize_email,
    normalize_username,
    rotation_verdict,
)
from showgeo_domain.identity.ports import (
    AccessTokenService,
    IdentityUnitOfWork,
    PasswordHasher,
    UsersUnitOfWork,
)
from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.errors import NotFound
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory

DEFAULT_REFRESH_TTL = timedelta(days=30)


class UserNotFound(NotFound):
    code = "user_not_found"


@dataclass(frozen=True, slots=True)
class AuthSession:
    user: User
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret


class Authentication:
    """Registration, login, refresh rotation and logout. Each method is one transaction."""

    def __init__(
        self,
        uow: UnitOfWorkFactory[IdentityUnitOfWork],
        hasher: PasswordHasher,
        tokens: AccessTokenService,
        clock: Clock,
        refresh_ttl: timedelta = DEFAULT_REFRESH_TTL,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._tokens = tokens
        self._clock = clock
        self._refresh_ttl = refresh_ttl
        self._decoy: str | None = None

    async def register(
        self,
        *,
        email: str,
        username: str,
        password: str,
        display_name: str | None = None,
        roles: frozenset[Role] = frozenset({Role.USER}),
    ) -> AuthSession:
        check_password(password)
        email, username = normalize_email(email), normalize_username(username)
        async with self._uow() as uow:
            if await uow.users.get_by_email(email):
                raise EmailTaken("an account with this email exists", field="email")
            if await uow.users.get_by_username(username):
                raise UsernameTaken("this username is taken", field="username")
            now = self._clock.now()
            user = User.register(
                email=email,
                username=username,
                password_hash=self._hasher.hash(password),
                display_name=display_name,
                now=now,
                roles=roles,
            )
            await uow.users.add(user)
            session = await self._start_session(uow, user)
            await uow.commit()
            return session

    async def login(self, *, email: str, password: str) -> AuthSession:
        async with self._uow() as uow:
            user = await uow.users.get_by_email(email.strip().lower())
            if user is None:
                # Spend the same time as a real check, so timing does not tell which emails
                # have accounts.
                self._hasher.verify(self._decoy_hash(), password)
                raise InvalidCredentials("email or password is wrong")
            if not self._hasher.verify(user.password_hash, password):
                raise InvalidCredentials("email or password is wrong")
            if self._hasher.needs_rehash(user.password_hash):
                user.password_hash = self._hasher.hash(password)
                await uow.users.update(user)
            session = await self._start_session(uow, user)
            await uow.commit()
            return session

    async def refresh(self, refresh_token: str) -> AuthSession:
        """Trade a refresh token for a new pair. A second use of the same token revokes its
        family, so the thief and the victim are both logged out of that session."""
        now = self._clock.now()
        async with self._uow() as uow:
            token, family = await self._find(uow, refresh_token)
            verdict = rotation_verdict(token, family, now)
            if verdict is RotationVerdict.ROTATE and not await uow.refresh_tokens.mark_used(
                token.id, now
            ):
                verdict = RotationVerdict.REUSED  # lost a race with another use of this token
            if verdict is RotationVerdict.REUSED:
                await self._revoke(uow, family, reason="reuse_detected")
                await uow.commit()
                raise RefreshTokenReused("refresh token was already used; please log in again")
            if verdict is not RotationVerdict.ROTATE:
                raise InvalidRefreshToken(f"refresh token is {verdict.value.lower()}")
            user = await uow.users.get(token.user_id)
            if user is None:
                raise InvalidRefreshToken("refresh token is revoked")
            new_token, secret = RefreshToken.issue(family=family, now=now, ttl=self._refresh_ttl)
            await uow.refresh_tokens.add(new_token)
            access = self._tokens.issue(user, now)
            await uow.commit()
            return AuthSession(user, access.token, secret, access.expires_in)

    async def logout(self, refresh_token: str) -> None:
        """Ends the session the token belongs to. Logging out twice is not an error."""
        async with self._uow() as uow:
            _token, family = await self._find(uow, refresh_token)
            if not family.is_revoked:
                await self._revoke(uow, family, reason="logout")
                await uow.commit()

    def authenticate(self, access_token: str) -> Actor:
        """The caller behind an access token; raises InvalidAccessToken. No storage read:
        access tokens are short-lived precisely so they can be checked offline."""
        claims = self._tokens.verify(access_token, self._clock.now())
        return Actor(claims.user_id, claims.roles)

    def authenticate_until(self, access_token: str) -> tuple[Actor, datetime]:
        """The caller and when their token stops being good: a long-lived connection (the
        notification socket) must end then, unless the client proves itself again."""
        claims = self._tokens.verify(access_token, self._clock.now())
        return Actor(claims.user_id, claims.roles), claims.expires_at

    async def me(self, actor: Actor) -> User:
        async with self._uow() as uow:
            user = await uow.users.get(actor.user_id)
            if user is None:
                raise UserNotFound("your account no longer exists")
            return user

    async def create_admin(
        self, *, email: str, username: str, password: str, display_name: str | None = None
    ) -> User:
        """Creates an admin, or promotes the existing user with this email and username."""
        check_password(password)
        email, username = normalize_email(email), normalize_username(username)
        async with self._uow() as uow:
            user = await uow.users.get_by_email(email)
            if user is not None:
                if user.username != username:
                    raise EmailTaken("this email belongs to another username", field="email")
                user.grant(Role.ADMIN, self._clock.now())
                await uow.users.update(user)
            else:
                if await uow.users.get_by_username(username):
                    raise UsernameTaken("this username is taken", field="username")
                user = User.register(
                    email=email,
                    username=username,
                    password_hash=self._hasher.hash(password),
                    display_name=display_name,
                    now=self._clock.now(),
                    roles=frozenset({Role.USER, Role.ADMIN}),
                )
                await uow.users.add(user)
            await uow.commit()
            return user

    def _decoy_hash(self) -> str:
        if self._decoy is None:
            self._decoy = self._hasher.hash(new_refresh_secret())
        return self._decoy

    async def _start_session(self, uow: IdentityUnitOfWork, user: User) -> AuthSession:
        now = self._clock.now()
        family = RefreshFamily(id=new_id(), user_id=user.id, created_at=now)
        await uow.refresh_tokens.add_family(family)
        token, secret = RefreshToken.issue(family=family, now=now, ttl=self._refresh_ttl)
        await uow.refresh_tokens.add(token)
        access = self._tokens.issue(user, now)
        return AuthSession(user, access.token, secret, access.expires_in)

    async def _find(
        self, uow: IdentityUnitOfWork, secret: str
    ) -> tuple[RefreshToken, RefreshFamily]:
        token = await uow.refresh_tokens.get_by_hash(hash_refresh_secret(secret))
        family = await uow.refresh_tokens.get_family(token.family_id) if token else None
        if token is None or family is None:
            raise InvalidRefreshToken("refresh token is not valid")
        return token, family

    async def _revoke(self, uow: IdentityUnitOfWork, family: RefreshFamily, *, reason: str) -> None:
        now = self._clock.now()
        await uow.refresh_tokens.revoke_family(family.id, now)
        family.revoked_at = now
        uow.record(
            RefreshFamilyRevoked(
                occurred_at=now, user_id=family.user_id, family_id=family.id, reason=reason
            )
        )


@dataclass(frozen=True, slots=True)
class ProfileChanges:
    display_name: str | None = None
    bio: str | None = None
    clear_bio: bool = False
    is_private: bool | None = None


class Profiles:
    """Reading and editing user profiles; private profiles show only a summary to others."""

    def __init__(self, uow: UnitOfWorkFactory[UsersUnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def get(self, username: str) -> User:
        async with self._uow() as uow:
            return await find_user(uow, username)

    async def update_me(self, actor: Actor, changes: ProfileChanges) -> User:
        async with self._uow() as uow:
            user = await uow.users.get(actor.user_id)
            if user is None:
                raise UserNotFound("your account no longer exists")
            user.update_profile(
                now=self._clock.now(),
                display_name=changes.display_name,
                bio=changes.bio,
                clear_bio=changes.clear_bio,
                is_private=changes.is_private,
            )
            await uow.users.update(user)
            await uow.commit()
            return user


async def find_user(uow: UsersUnitOfWork, username: str) -> User:
    user = await uow.users.get_by_username(username.strip().lower())
    if user is None:
        raise UserNotFound(f"no user named {username!r}")
    return user


async def find_user_by_id(uow: UsersUnitOfWork, user_id: UUID) -> User:
    user = await uow.users.get(user_id)
    if user is None:
        raise UserNotFound("no such user")
    return user
