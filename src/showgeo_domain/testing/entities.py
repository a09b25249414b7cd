"""Entities, and entities with their teams. A team is built by driving the real `Roster`
(add, change role, remove) with moves it allows, so the last-owner rule holds because the
roster enforced it, not because the strategy set fields."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from uuid import UUID

from hypothesis import strategies as st

from showgeo_domain.entities.model import (
    BIO_MAX,
    NAME_MAX,
    Entity,
    EntityKind,
    MemberRole,
    Roster,
)
from showgeo_domain.identity.model import User
from showgeo_domain.shared.ids import parse_id
from showgeo_domain.testing.identity import unique_users
from showgeo_domain.testing.values import moments, optional_texts, steps, texts

_UUIDS = st.uuids(version=4)
_KINDS = st.sampled_from(EntityKind)
_ROLES = st.sampled_from(MemberRole)


@cache
def slugs() -> st.SearchStrategy[str]:
    """3-64 characters of a-z, 0-9 and '-', not starting or ending with '-', never a UUID."""
    edge = st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789")
    middle = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=62)
    return st.builds(lambda a, m, b: a + m + b, edge, middle, edge).filter(
        lambda slug: parse_id(slug) is None
    )


@st.composite
def entities(
    draw: st.DrawFn, *, kind: EntityKind | None = None, owner_id: UUID | None = None
) -> Entity:
    """A newly created entity (CREATOR or ORGANIZATION), with no pending events."""
    entity = Entity.create(
        name=draw(texts(max_length=NAME_MAX)),
        slug=draw(slugs()),
        kind=kind or draw(_KINDS),
        bio=draw(optional_texts(max_length=BIO_MAX)),
        owner_id=owner_id or draw(_UUIDS),
        now=draw(moments()),
    )
    entity.pull_events()
    return entity


@dataclass(frozen=True, slots=True)
class Team:
    """An entity, its roster (one owner at least) and the users who are its members."""

    entity: Entity
    roster: Roster
    people: dict[UUID, User]

    @property
    def owners(self) -> list[User]:
        return [
            self.people[u] for u, m in self.roster.members.items() if m.role is MemberRole.OWNER
        ]

    @property
    def members(self) -> list[User]:
        return [self.people[u] for u in self.roster.members]

    def role_of(self, user: User) -> MemberRole | None:
        return self.roster.role_of(user.id)


@st.composite
def teams(
    draw: st.DrawFn,
    *,
    people: Sequence[User] | None = None,
    max_members: int = 6,
    max_changes: int = 12,
) -> Team:
    """An entity created by its founder, then up to `max_changes` team changes the roster
    accepts: people join with any role, roles change, members leave. The founder may be gone
    by the end; an owner never is. Memberships and users come with no pending events.

    Members come from `people` when given (the first is the founder), so a test can keep
    other users it drew with `unique_users` apart from the team."""
    if people is None:
        people = draw(unique_users(min_size=1, max_size=max_members))
    elif not people:
        raise ValueError("a team needs at least one person to found it")
    founder = people[0]
    entity = draw(entities(owner_id=founder.id))
    now: datetime = entity.created_at
    roster = Roster.of(entity.id, [])
    roster.add(founder.id, MemberRole.OWNER, now)
    for _ in range(draw(st.integers(0, max_changes))):
        now = now + draw(steps())
        outsiders = [p for p in people if p.id not in roster.members]
        movable = [
            user_id
            for user_id, member in roster.members.items()
            if member.role is not MemberRole.OWNER or roster.owner_count > 1
        ]
        moves = (["join"] if outsiders else []) + (["change", "leave"] if movable else [])
        if not moves:
            break
        move = draw(st.sampled_from(moves))
        if move == "join":
            newcomer = draw(st.sampled_from(outsiders))
            roster.add(newcomer.id, draw(_ROLES), now)
        elif move == "change":
            roster.change_role(draw(st.sampled_from(movable)), draw(_ROLES), now)
        else:
            roster.remove(draw(st.sampled_from(movable)), now)
    roster.pull_events()
    return Team(entity, roster, {p.id: p for p in people if p.id in roster.members})
