"""Fixtures for the pure domain tests: the memory adapters, a hand-moved clock and two tiny
fakes for the identity ports (a hasher and an access-token service), plus builders for the
people and entities most tests start from.

Hypothesis runs the `showgeo-domain` profile (few examples, no deadline) so the whole folder
stays fast; `SHOWGEO_HYPOTHESIS_PROFILE=showgeo-domain-thorough` runs many more examples.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import pytest
from hypothesis import HealthCheck, settings

from showgeo_adapters.memory import FakeClock, MemoryStore, MemoryUnitOfWork, memory_uow_factory
from showgeo_domain.entities.model import Entity, EntityKind, MemberRole
from showgeo_domain.entities.services import Entities
from showgeo_domain.follow.services import Follows
from showgeo_domain.identity.errors import InvalidAccessToken
from showgeo_domain.identity.model import Actor, Role, User
from showgeo_domain.identity.ports import AccessClaims, IssuedAccessToken
from showgeo_domain.identity.services import Authentication, Profiles
from showgeo_domain.shared.domain_events import DomainEvent

settings.register_profile(
    "showgeo-domain",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "showgeo-domain-thorough",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("SHOWGEO_HYPOTHESIS_PROFILE", "showgeo-domain"))

PASSWORD = "correct horse battery"


class FakePasswordHasher:
    """Readable hashes, `<scheme>:<password>`; a hash from another scheme needs a rehash."""

    def __init__(self, scheme: str = "h1") -> None:
        self.scheme = scheme

    def hash(self, password: str) -> str:
        return f"{self.scheme}:{password}"

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash.partition(":")[2] == password

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith(f"{self.scheme}:")


class FakeAccessTokens:
    """Access tokens are opaque strings remembered in a dict until they expire."""

    def __init__(self, ttl: timedelta = timedelta(minutes=15)) -> None:
        self.ttl = ttl
        self._issued: dict[str, AccessClaims] = {}

    def issue(self, user: User, now: datetime) -> IssuedAccessToken:
        token = f"access-{len(self._issued)}"
        self._issued[token] = AccessClaims(
            user_id=user.id, roles=user.roles, token_id=token, expires_at=now + self.ttl
        )
        return IssuedAccessToken(token, int(self.ttl.total_seconds()))

    def verify(self, token: str, now: datetime) -> AccessClaims:
        claims = self._issued.get(token)
        if claims is None or now >= claims.expires_at:
            raise InvalidAccessToken("access token is not valid")
        return claims


def events_of(store: MemoryStore, kind: type[DomainEvent]) -> list[DomainEvent]:
    return [e for e in store.outbox if isinstance(e, kind)]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def uow(store: MemoryStore) -> Callable[[], MemoryUnitOfWork]:
    return memory_uow_factory(store)


@pytest.fixture
def hasher() -> FakePasswordHasher:
    return FakePasswordHasher()


@pytest.fixture
def auth(uow, hasher: FakePasswordHasher, clock: FakeClock) -> Authentication:
    return Authentication(uow, hasher, FakeAccessTokens(), clock)


@pytest.fixture
def profiles(uow, clock: FakeClock) -> Profiles:
    return Profiles(uow, clock)


@pytest.fixture
def entities(uow, clock: FakeClock) -> Entities:
    return Entities(uow, clock)


@pytest.fixture
def follows(uow, clock: FakeClock) -> Follows:
    return Follows(uow, clock)


@dataclass(frozen=True)
class Person:
    """A registered user and the actor their access token proves."""

    user: User
    actor: Actor

    @property
    def id(self) -> UUID:
        return self.user.id

    @property
    def username(self) -> str:
        return self.user.username


@pytest.fixture
def sign_up(auth: Authentication, clock: FakeClock):
    """`await sign_up("ana")` registers `ana@example.com`; `admin=True` makes a platform admin."""

    async def sign_up(username: str, *, admin: bool = False) -> Person:
        clock.tick()
        roles = frozenset({Role.USER, Role.ADMIN}) if admin else frozenset({Role.USER})
        session = await auth.register(
            email=f"{username}@example.com", username=username, password=PASSWORD, roles=roles
        )
        return Person(session.user, session.user.as_actor())

    return sign_up


@pytest.fixture
def team(entities: Entities, clock: FakeClock):
    """`await team(owner=..., admins=[...], collaborators=[...])`: an entity and its members."""

    async def team(
        owner: Person,
        *,
        slug: str = "night-shift",
        admins: tuple[Person, ...] = (),
        collaborators: tuple[Person, ...] = (),
    ) -> Entity:
        clock.tick()
        entity = await entities.create(
            owner.actor, name=slug.replace("-", " ").title(), slug=slug, kind=EntityKind.CREATOR
        )
        for person, role in [(p, MemberRole.ADMIN) for p in admins] + [
            (p, MemberRole.COLLABORATOR) for p in collaborators
        ]:
            clock.tick()  # distinct join times keep "oldest first" well defined
            await entities.add_member(owner.actor, entity.id, username=person.username, role=role)
        return entity

    return team


# --- events and store (appended) ---------------------------------------------------------------


@pytest.fixture
def events(uow, clock: FakeClock):
    """The events use cases (`showgeo_domain.events.services.Events`) on the memory store."""
    from showgeo_domain.events.services import Events

    return Events(uow, clock)


@pytest.fixture
def shop(uow, clock: FakeClock):
    """The store use cases (`showgeo_domain.store.services.Store`) on the memory store; named
    `shop` because `store` is already the memory store itself."""
    from showgeo_domain.store.services import Store

    return Store(uow, clock)


@pytest.fixture
async def crew(sign_up) -> dict[str, Person]:
    """Everyone a permission test needs: `olga` (owner), `adam` (entity admin), `cora`
    (collaborator), `sam` (stranger), `fay` (follower) and `root` (platform admin)."""
    people = {name: await sign_up(name) for name in ["olga", "adam", "cora", "sam", "fay"]}
    people["root"] = await sign_up("root", admin=True)
    return people


@pytest.fixture
async def crew_entity(team, crew, follows):
    """`night-shift`, run by the crew, followed by `fay`."""
    entity = await team(crew["olga"], admins=(crew["adam"],), collaborators=(crew["cora"],))
    await follows.follow(crew["fay"].actor, entity.id)
    return entity
