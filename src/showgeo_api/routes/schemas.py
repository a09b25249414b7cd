"""Response shapes shared by several contexts (users and entities appear everywhere)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, TypeVar
from uuid import UUID

import msgspec
from msgspec import Meta

from showgeo_domain.entities.model import Entity
from showgeo_domain.identity.model import Actor, User
from showgeo_domain.shared.money import Money

T = TypeVar("T")


Currency = Annotated[str, Meta(pattern="^[A-Z]{3}$", examples=["EUR"])]


class MoneyIn(msgspec.Struct):
    """An amount in the currency's minor unit (cents for EUR). Any JSON number with a fraction
    or exponent (even `12.0`) is refused, so a price in major units never slips through."""

    # `int | float` so that floats reach `Money`, which refuses them (msgspec's lax mode would
    # quietly turn 12.0 into 12).
    amount: Annotated[int, Meta(ge=0)] | float
    currency: Currency

    def to_money(self) -> Money:
        return Money(self.amount, self.currency)  # type: ignore[arg-type]


class MoneyOut(msgspec.Struct):
    amount: int
    currency: str

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(money.amount, money.currency)


class PageOut(msgspec.Struct, Generic[T]):
    items: list[T]
    next_cursor: str | None


class UserOut(msgspec.Struct, omit_defaults=True):
    """A profile as the viewer may see it: private profiles carry only the first three fields
    unless the viewer is the user or an admin."""

    username: str
    display_name: str
    is_private: bool
    id: UUID | None = None
    bio: str | None = None
    created_at: datetime | None = None

    @classmethod
    def of(cls, user: User, viewer: Actor | None) -> UserOut:
        if not user.visible_to(viewer):
            return cls(user.username, user.display_name, True)
        return cls(
            username=user.username,
            display_name=user.display_name,
            is_private=user.is_private,
            id=user.id,
            bio=user.bio,
            created_at=user.created_at,
        )


class MeOut(msgspec.Struct):
    id: UUID
    email: str
    username: str
    display_name: str
    bio: str | None
    is_private: bool
    roles: list[str]
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> MeOut:
        return cls(
            id=user.id,
            email=user.email,
            username=user.username,
            display_name=user.display_name,
            bio=user.bio,
            is_private=user.is_private,
            roles=sorted(r.value for r in user.roles),
            created_at=user.created_at,
        )


class EntityOut(msgspec.Struct):
    id: UUID
    name: str
    slug: str
    kind: str
    bio: str | None
    verified: bool
    verified_at: datetime | None
    verification_requested_at: datetime | None
    follower_count: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, entity: Entity) -> EntityOut:
        return cls(
            id=entity.id,
            name=entity.name,
            slug=entity.slug,
            kind=entity.kind.value,
            bio=entity.bio,
            verified=entity.verified,
            verified_at=entity.verified_at,
            verification_requested_at=entity.verification_requested_at,
            follower_count=entity.follower_count,
            created_at=entity.created_at,
            updated_at=entity.updated_at,
        )
