"""Follow use cases: idempotent follow/unfollow and the two directions of listing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from showgeo_domain.entities.model import Entity
from showgeo_domain.entities.ports import EntityCache
from showgeo_domain.entities.services import find_entity
from showgeo_domain.follow.domain_events import EntityFollowed, EntityUnfollowed
from showgeo_domain.follow.model import FollowStatus
from showgeo_domain.follow.ports import FollowUnitOfWork
from showgeo_domain.identity.errors import ProfilePrivate
from showgeo_domain.identity.model import Actor, User
from showgeo_domain.identity.services import find_user
from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.pagination import Page, PageRequest
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Follower:
    user: User
    followed_at: datetime


@dataclass(frozen=True, slots=True)
class FollowedEntity:
    entity: Entity
    followed_at: datetime


class Follows:
    def __init__(
        self,
        uow: UnitOfWorkFactory[FollowUnitOfWork],
        clock: Clock,
        cache: EntityCache | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._cache = cache  # entity pages show the follower count: a change forgets it

    async def follow(self, actor: Actor, ref: str | UUID) -> FollowStatus:
        async with self._uow() as uow:
            entity = await find_entity(uow, ref)
            now = self._clock.now()
            change = await uow.follows.add(actor.user_id, entity.id, now)
            if change.changed:
                uow.record(
                    EntityFollowed(occurred_at=now, entity_id=entity.id, user_id=actor.user_id)
                )
            await uow.commit()
        if change.changed and self._cache is not None:
            await self._cache.forget(entity.id)
        return FollowStatus(following=True, follower_count=change.follower_count)

    async def unfollow(self, actor: Actor, ref: str | UUID) -> FollowStatus:
        async with self._uow() as uow:
            entity = await find_entity(uow, ref)
            change = await uow.follows.remove(actor.user_id, entity.id)
            if change.changed:
                uow.record(
                    EntityUnfollowed(
                        occurred_at=self._clock.now(), entity_id=entity.id, user_id=actor.user_id
                    )
                )
            await uow.commit()
        if change.changed and self._cache is not None:
            await self._cache.forget(entity.id)
        return FollowStatus(following=False, follower_count=change.follower_count)

    async def status(self, actor: Actor, ref: str | UUID) -> FollowStatus:
        async with self._uow() as uow:
            entity = await find_entity(uow, ref)
            return FollowStatus(
                following=await uow.follows.is_following(actor.user_id, entity.id),
                follower_count=await uow.follows.follower_count(entity.id),
            )

    async def followers(self, ref: str | UUID, page: PageRequest) -> Page[Follower]:
        async with self._uow() as uow:
            entity = await find_entity(uow, ref)
            follows = await uow.follows.list_followers(entity.id, page)
            users = await uow.users.get_many([f.user_id for f in follows.items])
            return Page(
                items=[
                    Follower(users[f.user_id], f.created_at)
                    for f in follows.items
                    if f.user_id in users
                ],
                next_cursor=follows.next_cursor,
            )

    async def following(
        self, username: str, viewer: Actor | None, page: PageRequest
    ) -> Page[FollowedEntity]:
        """What a user follows; private profiles keep this to themselves."""
        async with self._uow() as uow:
            user = await find_user(uow, username)
            if not user.visible_to(viewer):
                raise ProfilePrivate("this profile is private")
            follows = await uow.follows.list_following(user.id, page)
            entities = await uow.entities.get_many([f.entity_id for f in follows.items])
            return Page(
                items=[
                    FollowedEntity(entities[f.entity_id], f.created_at)
                    for f in follows.items
                    if f.entity_id in entities
                ],
                next_cursor=follows.next_cursor,
            )
