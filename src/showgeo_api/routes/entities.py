"""Entities: create, read by id or slug, edit, delete, search, team and verification."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from msgspec import UNSET, Meta, UnsetType

from showgeo_api.routes.schemas import EntityOut, PageOut, UserOut
from showgeo_domain.entities.model import BIO_MAX, NAME_MAX, EntityKind, MemberRole
from showgeo_domain.entities.ports import EntitySearch
from showgeo_domain.entities.services import Entities, EntityChanges, Member
from showgeo_domain.identity.model import Actor
from showgeo_domain.shared.pagination import PageRequest

EntityRef = Annotated[str, Meta(min_length=1, max_length=64)]
Name = Annotated[str, Meta(min_length=1, max_length=NAME_MAX)]
Slug = Annotated[str, Meta(min_length=3, max_length=64, examples=["the-night-owls"])]
Bio = Annotated[str, Meta(max_length=BIO_MAX)]


class EntityIn(msgspec.Struct):
    name: Name
    slug: Slug
    kind: EntityKind
    bio: Bio | None = None


class EntityPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET
    bio: Bio | UnsetType | None = UNSET

    def to_changes(self) -> EntityChanges:
        """What `Entities.update` takes: absent fields stay, a `null` bio is cleared."""
        return EntityChanges(
            name=None if self.name is UNSET else self.name,
            slug=None if self.slug is UNSET else self.slug,
            bio=None if self.bio is UNSET else self.bio,
            clear_bio=self.bio is None,
        )


class MemberIn(msgspec.Struct):
    username: Annotated[str, Meta(min_length=1, max_length=64)]
    role: MemberRole


class MemberRoleIn(msgspec.Struct):
    role: MemberRole


class MemberOut(msgspec.Struct):
    user_id: UUID
    user: UserOut
    role: str
    since: datetime

    @classmethod
    def of(cls, member: Member, viewer: Actor | None) -> MemberOut:
        return cls(member.user.id, UserOut.of(member.user, viewer), member.role.value, member.since)


class MembersOut(msgspec.Struct):
    items: list[MemberOut]
    next_cursor: str | None = None


class EntitiesController(Controller):
    path = "/entities"
    tags = ["entities"]

    @post("/", status_code=201, security=[{"BearerToken": []}])
    async def create(
        self,
        data: JSONBody[EntityIn],
        actor: NamedDependency[Actor],
        entities: NamedDependency[Entities],
    ) -> EntityOut:
        entity = await entities.create(
            actor, name=data.name, slug=data.slug, kind=data.kind, bio=data.bio
        )
        return EntityOut.of(entity)

    @get("/")
    async def search(
        self,
        entities: NamedDependency[Entities],
        page: NamedDependency[PageRequest],
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        kind: FromQuery[EntityKind | None] = None,
        verified: FromQuery[bool | None] = None,
    ) -> PageOut[EntityOut]:
        found = await entities.search(EntitySearch(q=q, kind=kind, verified=verified), page)
        return PageOut([EntityOut.of(e) for e in found.items], found.next_cursor)

    @get("/{ref:str}")
    async def read(self, ref: EntityRef, entities: NamedDependency[Entities]) -> EntityOut:
        return EntityOut.of(await entities.get(ref))

    @patch("/{ref:str}", security=[{"BearerToken": []}])
    async def update(
        self,
        ref: EntityRef,
        data: JSONBody[EntityPatch],
        actor: NamedDependency[Actor],
        entities: NamedDependency[Entities],
    ) -> EntityOut:
        return EntityOut.of(await entities.update(actor, ref, data.to_changes()))

    @delete("/{ref:str}", status_code=204, security=[{"BearerToken": []}])
    async def remove(
        self, ref: EntityRef, actor: NamedDependency[Actor], entities: NamedDependency[Entities]
    ) -> None:
        await entities.delete(actor, ref)

    @get("/{ref:str}/members")
    async def members(
        self,
        ref: EntityRef,
        viewer: NamedDependency[Actor | None],
        entities: NamedDependency[Entities],
    ) -> MembersOut:
        """The whole team in one page: teams are small, so no cursor is ever returned."""
        return MembersOut([MemberOut.of(m, viewer) for m in await entities.members(ref)])

    @post("/{ref:str}/members", status_code=201, security=[{"BearerToken": []}])
    async def add_member(
        self,
        ref: EntityRef,
        data: JSONBody[MemberIn],
        actor: NamedDependency[Actor],
        entities: NamedDependency[Entities],
    ) -> MemberOut:
        """Adds the user, or sets their role when they are already a member."""
        member = await entities.add_member(actor, ref, username=data.username, role=data.role)
        return MemberOut.of(member, actor)

    @patch("/{ref:str}/members/{user_id:uuid}", security=[{"BearerToken": []}])
    async def change_member_role(
        self,
        ref: EntityRef,
        user_id: FromPath[UUID],
        data: JSONBody[MemberRoleIn],
        actor: NamedDependency[Actor],
        entities: NamedDependency[Entities],
    ) -> MemberOut:
        member = await entities.change_member_role(actor, ref, user_id, data.role)
        return MemberOut.of(member, actor)

    @delete("/{ref:str}/members/{user_id:uuid}", status_code=204, security=[{"BearerToken": []}])
    async def remove_member(
        self,
        ref: EntityRef,
        user_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        entities: NamedDependency[Entities],
    ) -> None:
        await entities.remove_member(actor, ref, user_id)

    @post("/{ref:str}/verification", status_code=202, security=[{"BearerToken": []}])
    async def request_verification(
        self, ref: EntityRef, actor: NamedDependency[Actor], entities: NamedDependency[Entities]
    ) -> EntityOut:
        return EntityOut.of(await entities.request_verification(actor, ref))


class AdminEntitiesController(Controller):
    path = "/admin/entities"
    tags = ["admin"]
    security = [{"BearerToken": []}]

    @post("/{ref:str}/verify", status_code=200)
    async def verify(
        self, ref: EntityRef, admin: NamedDependency[Actor], entities: NamedDependency[Entities]
    ) -> EntityOut:
        return EntityOut.of(await entities.verify(admin, ref))
