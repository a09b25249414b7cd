"""Entities and their teams in memory; deleting an entity cascades like the SQL schema."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from uuid import UUID

from showgeo_adapters.memory.repositories._base import (
    MemoryRepository,
    newest_first_page,
    stored_copy,
)
from showgeo_domain.entities.errors import EntityHasOrders, SlugTaken
from showgeo_domain.entities.model import Entity, Membership
from showgeo_domain.entities.ports import EntitySearch
from showgeo_domain.shared.pagination import Keyset, Page, PageRequest


class MemoryEntityRepository(MemoryRepository):
    def _out(self, entity: Entity) -> Entity:
        found = copy.deepcopy(entity)
        found.follower_count = sum(
            1 for (_, entity_id) in self.state.follows if entity_id == entity.id
        )
        return found

    def _check_slug(self, entity: Entity) -> None:
        if any(e.slug == entity.slug and e.id != entity.id for e in self.state.entities.values()):
            raise SlugTaken("this slug is taken", field="slug")

    async def add(self, entity: Entity) -> None:
        self._check_slug(entity)
        self.state.entities[entity.id] = stored_copy(entity)
        self._events.track(entity)

    async def update(self, entity: Entity) -> None:
        self._check_slug(entity)
        self.state.entities[entity.id] = stored_copy(entity)
        self._events.track(entity)

    async def delete(self, entity_id: UUID) -> None:
        """Everything the entity owns goes with it (its assets with their links), as ON DELETE
        CASCADE does in SQL; but an entity that has sold something is refused, as the SQL
        adapter refuses it (orders are financial records, kept by ON DELETE RESTRICT)."""
        state = self.state
        if any(o.entity_id == entity_id for o in state.orders.values()):
            raise EntityHasOrders("an entity with orders cannot be deleted")
        state.entities.pop(entity_id, None)
        for key in [k for k in state.memberships if k[0] == entity_id]:
            del state.memberships[key]
        for key in [k for k in state.follows if k[1] == entity_id]:
            del state.follows[key]
        gone = {i for i, e in state.events.items() if e.entity_id == entity_id}
        state.events = {i: e for i, e in state.events.items() if i not in gone}
        state.ticket_types = {i: t for i, t in state.ticket_types.items() if t.event_id not in gone}
        state.products = {i: p for i, p in state.products.items() if p.entity_id != entity_id}
        own = {
            a.id for a in state.assets.values() if a.entity_id == entity_id or a.event_id in gone
        }
        state.assets = {i: a for i, a in state.assets.items() if i not in own}
        state.asset_links = [k for k in state.asset_links if k.asset_id not in own]

    async def get(self, entity_id: UUID, *, for_update: bool = False) -> Entity | None:
        entity = self.state.entities.get(entity_id)
        return self._out(entity) if entity else None

    async def get_by_slug(self, slug: str) -> Entity | None:
        return next((self._out(e) for e in self.state.entities.values() if e.slug == slug), None)

    async def get_many(self, entity_ids: Sequence[UUID]) -> dict[UUID, Entity]:
        return {
            i: self._out(self.state.entities[i]) for i in entity_ids if i in self.state.entities
        }

    async def search(self, search: EntitySearch, page: PageRequest) -> Page[Entity]:
        q = search.q.lower() if search.q else None
        rows = [
            e
            for e in self.state.entities.values()
            if (q is None or q in e.name.lower() or q in e.slug)
            and (search.kind is None or e.kind is search.kind)
            and (search.verified is None or e.verified is search.verified)
        ]
        found = newest_first_page(rows, page, lambda e: Keyset(e.created_at, e.id))
        return Page([self._out(e) for e in found.items], found.next_cursor)


class MemoryMembershipRepository(MemoryRepository):
    async def list_for_entity(self, entity_id: UUID) -> list[Membership]:
        rows = [copy.copy(m) for (e, _), m in self.state.memberships.items() if e == entity_id]
        return sorted(rows, key=lambda m: (m.created_at, m.user_id))

    async def list_for_user(self, user_id: UUID, page: PageRequest) -> Page[Membership]:
        rows = [copy.copy(m) for (_, u), m in self.state.memberships.items() if u == user_id]
        return newest_first_page(rows, page, lambda m: Keyset(m.created_at, m.entity_id))

    async def get(self, entity_id: UUID, user_id: UUID) -> Membership | None:
        return copy.copy(self.state.memberships.get((entity_id, user_id)))

    async def add(self, membership: Membership) -> None:
        self.state.memberships[(membership.entity_id, membership.user_id)] = copy.copy(membership)

    async def update(self, membership: Membership) -> None:
        key = (membership.entity_id, membership.user_id)
        if key in self.state.memberships:
            self.state.memberships[key] = copy.copy(membership)

    async def remove(self, entity_id: UUID, user_id: UUID) -> None:
        self.state.memberships.pop((entity_id, user_id), None)
