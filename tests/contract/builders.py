"""Valid aggregates for contract tests, and a shortcut to store them in one committed unit."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from showgeo_adapters.memory import FakeClock
from showgeo_domain.entities.model import Entity, EntityKind, MemberRole, Membership
from showgeo_domain.identity.model import User
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory


def a_user(
    clock: FakeClock, username: str, *, email: str | None = None, at: datetime | None = None
) -> User:
    return User.register(
        email=email or f"{username}@example.com",
        username=username,
        password_hash="argon2-hash",
        display_name=None,
        now=at or clock.tick(),
    )


def an_entity(
    clock: FakeClock,
    slug: str,
    *,
    name: str | None = None,
    kind: EntityKind = EntityKind.CREATOR,
    at: datetime | None = None,
) -> Entity:
    return Entity.create(
        name=name or slug.replace("-", " ").title(),
        slug=slug,
        kind=kind,
        bio=None,
        owner_id=new_id(),
        now=at or clock.tick(),
    )


def a_membership(entity: Entity, user: User, role: MemberRole, at: datetime) -> Membership:
    return Membership(entity.id, user.id, role, at)


def state_of(aggregate: object) -> dict[str, Any]:
    """The stored fields of a domain dataclass, for comparing what went in with what came
    back (aggregates compare by identity, and pending events are not stored)."""
    return {
        f.name: getattr(aggregate, f.name)
        for f in dataclasses.fields(aggregate)  # type: ignore[arg-type]
        if f.name != "pending_events"
    }


async def store(
    uow_factory: UnitOfWorkFactory,
    *,
    users: Sequence[User] = (),
    entities: Sequence[Entity] = (),
) -> None:
    async with uow_factory() as uow:
        for user in users:
            await uow.users.add(user)
        for entity in entities:
            await uow.entities.add(entity)
        await uow.commit()
