"""Users: profiles (public or private), editing my own, and what a user runs and follows."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get, patch
from litestar.di import NamedDependency
from litestar.params import JSONBody
from msgspec import UNSET, Meta, UnsetType

from showgeo_api.routes.schemas import EntityOut, MeOut, PageOut, UserOut
from showgeo_domain.entities.services import Entities
from showgeo_domain.follow.services import Follows
from showgeo_domain.identity.model import BIO_MAX, DISPLAY_NAME_MAX, Actor
from showgeo_domain.identity.services import ProfileChanges, Profiles
from showgeo_domain.shared.pagination import PageRequest

Username = Annotated[str, Meta(min_length=1, max_length=64)]


class ProfilePatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields present change; `bio: null` clears the bio."""

    display_name: Annotated[str, Meta(min_length=1, max_length=DISPLAY_NAME_MAX)] | UnsetType = (
        UNSET
    )
    bio: Annotated[str, Meta(max_length=BIO_MAX)] | UnsetType | None = UNSET
    is_private: bool | UnsetType = UNSET


class UserEntityOut(msgspec.Struct):
    entity: EntityOut
    role: str
    since: datetime


class FollowingOut(msgspec.Struct):
    entity: EntityOut
    followed_at: datetime


class UsersController(Controller):
    path = "/users"
    tags = ["users"]

    @patch("/me", security=[{"BearerToken": []}])
    async def update_me(
        self,
        data: JSONBody[ProfilePatch],
        actor: NamedDependency[Actor],
        profiles: NamedDependency[Profiles],
    ) -> MeOut:
        changes = ProfileChanges(
            display_name=None if data.display_name is UNSET else data.display_name,
            bio=None if data.bio is UNSET else data.bio,
            clear_bio=data.bio is None,
            is_private=None if data.is_private is UNSET else data.is_private,
        )
        return MeOut.of(await profiles.update_me(actor, changes))

    @get("/{username:str}")
    async def profile(
        self,
        username: Username,
        viewer: NamedDependency[Actor | None],
        profiles: NamedDependency[Profiles],
    ) -> UserOut:
        return UserOut.of(await profiles.get(username), viewer)

    @get("/{username:str}/entities")
    async def entities(
        self,
        username: Username,
        viewer: NamedDependency[Actor | None],
        page: NamedDependency[PageRequest],
        entities: NamedDependency[Entities],
    ) -> PageOut[UserEntityOut]:
        found = await entities.of_user(username, viewer, page)
        return PageOut(
            [UserEntityOut(EntityOut.of(e.entity), e.role.value, e.since) for e in found.items],
            found.next_cursor,
        )

    @get("/{username:str}/following")
    async def following(
        self,
        username: Username,
        viewer: NamedDependency[Actor | None],
        page: NamedDependency[PageRequest],
        follows: NamedDependency[Follows],
    ) -> PageOut[FollowingOut]:
        found = await follows.following(username, viewer, page)
        return PageOut(
            [FollowingOut(EntityOut.of(f.entity), f.followed_at) for f in found.items],
            found.next_cursor,
        )
