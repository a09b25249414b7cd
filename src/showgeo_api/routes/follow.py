"""Follow: idempotent follow and unfollow, and an entity's followers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, put
from litestar.di import NamedDependency
from msgspec import Meta

from showgeo_api.routes.schemas import PageOut, UserOut
from showgeo_domain.follow.model import FollowStatus
from showgeo_domain.follow.services import Follows
from showgeo_domain.identity.model import Actor
from showgeo_domain.shared.pagination import PageRequest

EntityRef = Annotated[str, Meta(min_length=1, max_length=64)]


class FollowStatusOut(msgspec.Struct):
    following: bool
    follower_count: int

    @classmethod
    def of(cls, status: FollowStatus) -> FollowStatusOut:
        return cls(status.following, status.follower_count)


class FollowerOut(msgspec.Struct):
    user: UserOut
    followed_at: datetime


class FollowController(Controller):
    path = "/entities/{ref:str}"
    tags = ["follow"]

    @put("/follow", security=[{"BearerToken": []}])
    async def follow(
        self, ref: EntityRef, actor: NamedDependency[Actor], follows: NamedDependency[Follows]
    ) -> FollowStatusOut:
        return FollowStatusOut.of(await follows.follow(actor, ref))

    @delete("/follow", status_code=200, security=[{"BearerToken": []}])
    async def unfollow(
        self, ref: EntityRef, actor: NamedDependency[Actor], follows: NamedDependency[Follows]
    ) -> FollowStatusOut:
        return FollowStatusOut.of(await follows.unfollow(actor, ref))

    @get("/follow", security=[{"BearerToken": []}])
    async def status(
        self, ref: EntityRef, actor: NamedDependency[Actor], follows: NamedDependency[Follows]
    ) -> FollowStatusOut:
        return FollowStatusOut.of(await follows.status(actor, ref))

    @get("/followers")
    async def followers(
        self,
        ref: EntityRef,
        viewer: NamedDependency[Actor | None],
        page: NamedDependency[PageRequest],
        follows: NamedDependency[Follows],
    ) -> PageOut[FollowerOut]:
        found = await follows.followers(ref, page)
        return PageOut(
            [FollowerOut(UserOut.of(f.user, viewer), f.followed_at) for f in found.items],
            found.next_cursor,
        )
