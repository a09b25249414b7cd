from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from showgeo_domain.shared.domain_events import DomainEvent


class EntitiesEvent(DomainEvent, frozen=True, kw_only=True):
    context: ClassVar[str] = "entities"


class EntityCreated(EntitiesEvent, frozen=True, kw_only=True):
    entity_id: UUID
    slug: str
    kind: str
    owner_id: UUID


class EntityUpdated(EntitiesEvent, frozen=True, kw_only=True):
    entity_id: UUID
    fields: list[str]


class EntityDeleted(EntitiesEvent, frozen=True, kw_only=True):
    entity_id: UUID
    deleted_by: UUID


class MemberAdded(EntitiesEvent, frozen=True, kw_only=True):
    entity_id: UUID
    user_id: UUID
    role: str


class MemberRoleChanged(EntitiesEvent, frozen=True, kw_only=True):
    entity_id: UUID
    user_id: UUID
    old_role: str
    new_role: str


class MemberRemoved(EntitiesEvent, frozen=True, kw_only=True):
    entity_id: UUID
    user_id: UUID


class VerificationRequested(EntitiesEvent, frozen=True, kw_only=True):
    entity_id: UUID
    requested_by: UUID


class EntityVerified(EntitiesEvent, frozen=True, kw_only=True):
    entity_id: UUID
    verified_by: UUID
