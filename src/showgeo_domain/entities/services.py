"""Entity use cases. Every permission question goes to `policy`; every team change goes
through the `Roster` under a lock on the entity row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from showgeo_domain.entities import policy
from showgeo_domain.entities.domain_events import EntityDeleted
from showgeo_domain.entities.errors import EntityNotFound, SlugTaken
from showgeo_domain.entities.model import (
    Entity,
    EntityKind,
    MemberRole,
    Membership,
    Roster,
    normalize_slug,
)
from showgeo_domain.entities.policy import EntityPermission
from showgeo_domain.entities.ports import EntitiesUnitOfWork, EntityCache, EntitySearch
from showgeo_domain.identity.errors import AdminOnly, ProfilePrivate
from showgeo_domain.identity.model import Actor, User
from showgeo_domain.identity.services import find_user, find_user_by_id
from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.ids import parse_id
from showgeo_domain.shared.pagination import Keyset, Page, PageRequest
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Member:
    user: User
    role: MemberRole
    since: datetime


@dataclass(frozen=True, slots=True)
class EntityWithRole:
    entity: Entity
    role: MemberRole
    since: datetime


@dataclass(frozen=True, slots=True)
class EntityChanges:
    name: str | None = None
    slug: str | None = None
    bio: str | None = None
    clear_bio: bool = False


async def find_entity(
    uow: EntitiesUnitOfWork, ref: str | UUID, *, for_update: bool = False
) -> Entity:
    """Resolve an id or a slug: URLs may carry either."""
    entity_id = ref if isinstance(ref, UUID) else parse_id(ref)
    if entity_id is not None:
        entity = await uow.entities.get(entity_id, for_update=for_update)
    else:
        entity = await uow.entities.get_by_slug(str(ref).strip().lower())
        if entity is not None and for_update:
            entity = await uow.entities.get(entity.id, for_update=True)
    if entity is None:
        raise EntityNotFound(f"no entity {ref!s}")
    return entity


async def role_of(
    uow: EntitiesUnitOfWork, entity_id: UUID, actor: Actor | None
) -> MemberRole | None:
    if actor is None:
        return None
    membership = await uow.memberships.get(entity_id, actor.user_id)
    return membership.role if membership else None


async def require_permission(
    uow: EntitiesUnitOfWork, entity: Entity, actor: Actor | None, permission: EntityPermission
) -> MemberRole | None:
    role = await role_of(uow, entity.id, actor)
    policy.require(actor, role, permission)
    return role


class Entities:
    def __init__(
        self,
        uow: UnitOfWorkFactory[EntitiesUnitOfWork],
        clock: Clock,
        cache: EntityCache | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._cache = cache

    async def create(
        self, actor: Actor, *, name: str, slug: str, kind: EntityKind, bio: str | None = None
    ) -> Entity:
        now = self._clock.now()
        entity = Entity.create(
            name=name, slug=slug, kind=kind, bio=bio, owner_id=actor.user_id, now=now
        )
        async with self._uow() as uow:
            if await uow.entities.get_by_slug(entity.slug):
                raise SlugTaken("this slug is taken", field="slug")
            await uow.entities.add(entity)
            roster = Roster.of(entity.id, [])
            await uow.memberships.add(roster.add(actor.user_id, MemberRole.OWNER, now))
            uow.track(roster)
            await uow.commit()
        return entity

    async def get(self, ref: str | UUID) -> Entity:
        """By id through the cache when there is one (slugs always read the database)."""
        entity_id = ref if isinstance(ref, UUID) else parse_id(ref)
        if self._cache is not None and entity_id is not None:
            cached = await self._cache.get(entity_id)
            if cached is not None:
                return cached
        async with self._uow(read_only=True) as uow:
            entity = await find_entity(uow, ref)
        if self._cache is not None and entity_id is not None:
            await self._cache.put(entity)
        return entity

    async def _forget(self, entity_id: UUID) -> None:
        if self._cache is not None:
            await self._cache.forget(entity_id)

    async def search(self, search: EntitySearch, page: PageRequest) -> Page[Entity]:
        async with self._uow(read_only=True) as uow:
            return await uow.entities.search(search, page)

    async def update(self, actor: Actor, ref: str | UUID, changes: EntityChanges) -> Entity:
        async with self._uow() as uow:
            entity = await find_entity(uow, ref, for_update=True)
            await require_permission(uow, entity, actor, EntityPermission.UPDATE)
            if changes.slug is not None:
                slug = normalize_slug(changes.slug)
                holder = await uow.entities.get_by_slug(slug)
                if holder is not None and holder.id != entity.id:
                    raise SlugTaken("this slug is taken", field="slug")
            entity.update(
                now=self._clock.now(),
                name=changes.name,
                slug=changes.slug,
                bio=changes.bio,
                clear_bio=changes.clear_bio,
            )
            await uow.entities.update(entity)
            await uow.commit()
        await self._forget(entity.id)
        return entity

    async def delete(self, actor: Actor, ref: str | UUID) -> None:
        async with self._uow() as uow:
            entity = await find_entity(uow, ref, for_update=True)
            await require_permission(uow, entity, actor, EntityPermission.DELETE)
            await uow.entities.delete(entity.id)
            uow.record(
                EntityDeleted(
                    occurred_at=self._clock.now(), entity_id=entity.id, deleted_by=actor.user_id
                )
            )
            await uow.commit()
        await self._forget(entity.id)

    async def members(self, ref: str | UUID) -> list[Member]:
        """The team is public: who runs an entity is part of what followers see."""
        async with self._uow() as uow:
            entity = await find_entity(uow, ref)
            memberships = await uow.memberships.list_for_entity(entity.id)
            users = await uow.users.get_many([m.user_id for m in memberships])
            return [
                Member(users[m.user_id], m.role, m.created_at)
                for m in memberships
                if m.user_id in users
            ]

    async def add_member(
        self, actor: Actor, ref: str | UUID, *, username: str, role: MemberRole
    ) -> Member:
        """Adds the user, or changes their role when they are already a member."""
        async with self._uow() as uow:
            entity = await find_entity(uow, ref, for_update=True)
            user = await find_user(uow, username)
            roster = await self._roster(uow, entity.id)
            current = roster.role_of(user.id)
            policy.require(
                actor,
                roster.role_of(actor.user_id),
                policy.member_change_permission(current, role),
            )
            now = self._clock.now()
            if current is None:
                member = roster.add(user.id, role, now)
                await uow.memberships.add(member)
            else:
                member = roster.change_role(user.id, role, now)
                await uow.memberships.update(member)
            await uow.commit()
            return Member(user, member.role, member.created_at)

    async def change_member_role(
        self, actor: Actor, ref: str | UUID, user_id: UUID, role: MemberRole
    ) -> Member:
        async with self._uow() as uow:
            entity = await find_entity(uow, ref, for_update=True)
            user = await find_user_by_id(uow, user_id)
            roster = await self._roster(uow, entity.id)
            policy.require(
                actor,
                roster.role_of(actor.user_id),
                policy.member_change_permission(roster.role_of(user_id), role),
            )
            member = roster.change_role(user_id, role, self._clock.now())
            await uow.memberships.update(member)
            await uow.commit()
            return Member(user, member.role, member.created_at)

    async def remove_member(self, actor: Actor, ref: str | UUID, user_id: UUID) -> None:
        """Members may always leave on their own (unless they are the last owner)."""
        async with self._uow() as uow:
            entity = await find_entity(uow, ref, for_update=True)
            roster = await self._roster(uow, entity.id)
            if actor.user_id != user_id:
                policy.require(
                    actor,
                    roster.role_of(actor.user_id),
                    policy.member_change_permission(roster.role_of(user_id)),
                )
            roster.remove(user_id, self._clock.now())
            await uow.memberships.remove(entity.id, user_id)
            await uow.commit()

    async def request_verification(self, actor: Actor, ref: str | UUID) -> Entity:
        async with self._uow() as uow:
            entity = await find_entity(uow, ref, for_update=True)
            await require_permission(uow, entity, actor, EntityPermission.REQUEST_VERIFICATION)
            entity.request_verification(by=actor.user_id, now=self._clock.now())
            await uow.entities.update(entity)
            await uow.commit()
        await self._forget(entity.id)
        return entity

    async def verify(self, actor: Actor, ref: str | UUID) -> Entity:
        if not actor.is_admin:
            raise AdminOnly("only platform admins verify entities")
        async with self._uow() as uow:
            entity = await find_entity(uow, ref, for_update=True)
            entity.verify(by=actor.user_id, now=self._clock.now())
            await uow.entities.update(entity)
            await uow.commit()
        await self._forget(entity.id)
        return entity

    async def of_user(
        self, username: str, viewer: Actor | None, page: PageRequest
    ) -> Page[EntityWithRole]:
        """The entities a user owns or works on; hidden when their profile is private."""
        async with self._uow() as uow:
            user = await find_user(uow, username)
            if not user.visible_to(viewer):
                raise ProfilePrivate("this profile is private")
            memberships = await uow.memberships.list_for_user(user.id, page)
            entities = await uow.entities.get_many([m.entity_id for m in memberships.items])
            return Page(
                items=[
                    EntityWithRole(entities[m.entity_id], m.role, m.created_at)
                    for m in memberships.items
                    if m.entity_id in entities
                ],
                next_cursor=memberships.next_cursor,
            )

    async def _roster(self, uow: EntitiesUnitOfWork, entity_id: UUID) -> Roster:
        roster = Roster.of(entity_id, await uow.memberships.list_for_entity(entity_id))
        uow.track(roster)
        return roster


def membership_key(membership: Membership) -> Keyset:
    return Keyset(membership.created_at, membership.entity_id)
