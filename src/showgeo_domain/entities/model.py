"""Entities and their teams.

The team (`Roster`) is where the one hard invariant lives: an entity never loses its last
owner. Every membership change goes through the roster, which sees all members at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from showgeo_domain.entities.domain_events import (
    EntityCreated,
    EntityUpdated,
    EntityVerified,
    MemberAdded,
    MemberRemoved,
    MemberRoleChanged,
    VerificationRequested,
)
from showgeo_domain.entities.errors import (
    AlreadyMember,
    AlreadyVerified,
    LastOwnerRequired,
    NotAMember,
)
from showgeo_domain.shared.domain_events import DomainEvent, RecordsEvents
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.ids import new_id, parse_id
from showgeo_domain.shared.text import optional_text, required_text

NAME_MAX = 120
BIO_MAX = 2000
SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{1,62}[a-z0-9])$"
_SLUG = re.compile(SLUG_PATTERN)


class EntityKind(StrEnum):
    CREATOR = "CREATOR"
    ORGANIZATION = "ORGANIZATION"


class MemberRole(StrEnum):
    OWNER = "OWNER"
    ADMIN = "ADMIN"
    COLLABORATOR = "COLLABORATOR"


def normalize_slug(raw: str) -> str:
    slug = raw.strip().lower()
    if not _SLUG.fullmatch(slug):
        raise InvalidInput(
            "slug must be 3-64 characters of a-z, 0-9 and '-', not starting or ending with '-'",
            field="slug",
        )
    if parse_id(slug) is not None:  # URLs take an id or a slug; a slug must never read as an id
        raise InvalidInput("slug must not have the form of a UUID", field="slug")
    return slug


@dataclass(eq=False)
class Entity(RecordsEvents):
    id: UUID
    name: str
    slug: str
    kind: EntityKind
    created_at: datetime
    updated_at: datetime
    bio: str | None = None
    verified: bool = False
    verified_at: datetime | None = None
    verification_requested_at: datetime | None = None
    follower_count: int = 0
    """Read-only here: maintained by the follow repository in the follow's own transaction."""
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def create(
        cls,
        *,
        name: str,
        slug: str,
        kind: EntityKind,
        bio: str | None,
        owner_id: UUID,
        now: datetime,
    ) -> Entity:
        entity = cls(
            id=new_id(),
            name=required_text(name, field="name", max_length=NAME_MAX),
            slug=normalize_slug(slug),
            kind=kind,
            bio=optional_text(bio, field="bio", max_length=BIO_MAX),
            created_at=now,
            updated_at=now,
        )
        entity.record(
            EntityCreated(
                occurred_at=now,
                entity_id=entity.id,
                slug=entity.slug,
                kind=kind.value,
                owner_id=owner_id,
            )
        )
        return entity

    def update(
        self,
        *,
        now: datetime,
        name: str | None = None,
        slug: str | None = None,
        bio: str | None = None,
        clear_bio: bool = False,
    ) -> None:
        changed: list[str] = []
        if name is not None:
            self.name = required_text(name, field="name", max_length=NAME_MAX)
            changed.append("name")
        if slug is not None:
            self.slug = normalize_slug(slug)
            changed.append("slug")
        if bio is not None or clear_bio:
            self.bio = optional_text(bio, field="bio", max_length=BIO_MAX)
            changed.append("bio")
        if changed:
            self.updated_at = now
            self.record(EntityUpdated(occurred_at=now, entity_id=self.id, fields=changed))

    def request_verification(self, *, by: UUID, now: datetime) -> None:
        """Idempotent while a request is pending: asking twice changes nothing."""
        if self.verified:
            raise AlreadyVerified("this entity is already verified")
        if self.verification_requested_at is not None:
            return
        self.verification_requested_at = now
        self.updated_at = now
        self.record(VerificationRequested(occurred_at=now, entity_id=self.id, requested_by=by))

    def verify(self, *, by: UUID, now: datetime) -> None:
        if self.verified:
            raise AlreadyVerified("this entity is already verified")
        self.verified = True
        self.verified_at = now
        self.updated_at = now
        self.record(EntityVerified(occurred_at=now, entity_id=self.id, verified_by=by))


@dataclass(eq=False, slots=True)
class Membership:
    entity_id: UUID
    user_id: UUID
    role: MemberRole
    created_at: datetime


@dataclass(eq=False)
class Roster(RecordsEvents):
    """The members of one entity, loaded whole so the last-owner rule can be checked."""

    entity_id: UUID
    members: dict[UUID, Membership]
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def of(cls, entity_id: UUID, memberships: Iterable[Membership]) -> Roster:
        return cls(entity_id, {m.user_id: m for m in memberships})

    def role_of(self, user_id: UUID) -> MemberRole | None:
        member = self.members.get(user_id)
        return member.role if member else None

    @property
    def owner_count(self) -> int:
        return sum(1 for m in self.members.values() if m.role is MemberRole.OWNER)

    def add(self, user_id: UUID, role: MemberRole, now: datetime) -> Membership:
        if user_id in self.members:
            raise AlreadyMember("this user is already a member")
        member = Membership(self.entity_id, user_id, role, now)
        self.members[user_id] = member
        self.record(
            MemberAdded(occurred_at=now, entity_id=self.entity_id, user_id=user_id, role=role)
        )
        return member

    def change_role(self, user_id: UUID, role: MemberRole, now: datetime) -> Membership:
        member = self._existing(user_id)
        if member.role is role:
            return member
        if member.role is MemberRole.OWNER and self.owner_count == 1:
            raise LastOwnerRequired("the last owner cannot be demoted; promote another first")
        old = member.role
        member.role = role
        self.record(
            MemberRoleChanged(
                occurred_at=now,
                entity_id=self.entity_id,
                user_id=user_id,
                old_role=old,
                new_role=role,
            )
        )
        return member

    def remove(self, user_id: UUID, now: datetime) -> Membership:
        member = self._existing(user_id)
        if member.role is MemberRole.OWNER and self.owner_count == 1:
            raise LastOwnerRequired("the last owner cannot leave; promote another first")
        del self.members[user_id]
        self.record(MemberRemoved(occurred_at=now, entity_id=self.entity_id, user_id=user_id))
        return member

    def _existing(self, user_id: UUID) -> Membership:
        member = self.members.get(user_id)
        if member is None:
            raise NotAMember("this user is not a member of the entity")
        return member
