"""What the entities context needs from storage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

import msgspec

from showgeo_domain.entities.model import Entity, EntityKind, Membership
from showgeo_domain.identity.ports import UsersUnitOfWork
from showgeo_domain.shared.pagination import Page, PageRequest


class EntitySearch(msgspec.Struct, frozen=True):
    q: str | None = None
    kind: EntityKind | None = None
    verified: bool | None = None


class EntityRepository(Protocol):
    async def add(self, entity: Entity) -> None:
        """Raises SlugTaken when the slug is in use."""
        ...

    async def update(self, entity: Entity) -> None:
        """Raises SlugTaken when a changed slug is in use."""
        ...

    async def delete(self, entity_id: UUID) -> None:
        """Removes the entity with its memberships, follows, events and products; raises
        EntityHasOrders when anything was ever ordered from it."""
        ...

    async def get(self, entity_id: UUID, *, for_update: bool = False) -> Entity | None:
        """`for_update` locks the row until commit, serialising changes to one entity's team."""
        ...

    async def get_by_slug(self, slug: str) -> Entity | None: ...

    async def get_many(self, entity_ids: Sequence[UUID]) -> dict[UUID, Entity]: ...

    async def search(self, search: EntitySearch, page: PageRequest) -> Page[Entity]:
        """Newest first; `q` matches the name or slug case-insensitively."""
        ...


class MembershipRepository(Protocol):
    async def list_for_entity(self, entity_id: UUID) -> list[Membership]:
        """All members, oldest first; teams are small enough to load whole."""
        ...

    async def list_for_user(self, user_id: UUID, page: PageRequest) -> Page[Membership]: ...

    async def get(self, entity_id: UUID, user_id: UUID) -> Membership | None: ...

    async def add(self, membership: Membership) -> None: ...

    async def update(self, membership: Membership) -> None: ...

    async def remove(self, entity_id: UUID, user_id: UUID) -> None: ...


class EntityCache(Protocol):
    """Entity pages by id (a read on every visit; follower counts change on every follow).

    The services that change what a page shows forget it right after their commit; entries
    also expire (the adapter's time to live), which bounds how stale a page can be where a
    forget cannot reach (another process's memory cache; a read racing a write that put
    the older row back after the forget)."""

    async def get(self, entity_id: UUID) -> Entity | None: ...

    async def put(self, entity: Entity) -> None: ...

    async def forget(self, entity_id: UUID) -> None: ...


class EntitiesUnitOfWork(UsersUnitOfWork, Protocol):
    """What the entities use cases need, and what `find_entity`, `role_of` and
    `require_permission` take: every context that acts for an entity extends it."""

    entities: EntityRepository
    memberships: MembershipRepository
