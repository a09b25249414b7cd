"""Entity use cases on the memory adapters: creation, lookup, editing, deletion, the team and
verification, each guarded by the permission table."""

from __future__ import annotations

import pytest

from showgeo_adapters.memory import FakeClock, MemoryStore
from showgeo_domain.entities.domain_events import (
    EntityCreated,
    EntityDeleted,
    EntityUpdated,
    EntityVerified,
    MemberAdded,
    MemberRemoved,
    MemberRoleChanged,
    VerificationRequested,
)
from showgeo_domain.entities.errors import (
    AlreadyVerified,
    EntityNotFound,
    EntityPermissionDenied,
    LastOwnerRequired,
    NotAMember,
    SlugTaken,
)
from showgeo_domain.entities.model import EntityKind, MemberRole
from showgeo_domain.entities.ports import EntitySearch
from showgeo_domain.entities.services import Entities, EntityChanges
from showgeo_domain.follow.services import Follows
from showgeo_domain.identity.services import ProfileChanges, Profiles, UserNotFound
from showgeo_domain.shared.errors import InvalidInput, PermissionDenied
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.pagination import PageRequest
from tests.domain.conftest import Person, events_of


def roles_in(store: MemoryStore, entity_id) -> dict[str, MemberRole]:
    users = store.state.users
    return {
        users[user_id].username: m.role
        for (e, user_id), m in store.state.memberships.items()
        if e == entity_id
    }


@pytest.fixture
async def cast(sign_up) -> dict[str, Person]:
    """An owner, an entity admin, a collaborator, a stranger and a platform admin."""
    names = ["olga", "adam", "cora", "sam"]
    people = {name: await sign_up(name) for name in names}
    people["root"] = await sign_up("root", admin=True)
    return people


@pytest.fixture
async def entity(team, cast):
    return await team(cast["olga"], admins=(cast["adam"],), collaborators=(cast["cora"],))


# --- creation and lookup ------------------------------------------------------------------


async def test_create_makes_the_caller_owner_and_announces_both_facts(
    entities: Entities, store: MemoryStore, sign_up
):
    olga = await sign_up("olga")
    outbox_before = len(store.outbox)
    entity = await entities.create(
        olga.actor, name=" Night Shift ", slug="Night-Shift", kind=EntityKind.ORGANIZATION
    )
    assert (entity.name, entity.slug, entity.kind) == ("Night Shift", "night-shift", "ORGANIZATION")
    assert roles_in(store, entity.id) == {"olga": MemberRole.OWNER}
    created, added = store.outbox[outbox_before:]
    assert isinstance(created, EntityCreated)
    assert (created.entity_id, created.owner_id) == (entity.id, olga.id)
    assert created.slug == "night-shift"
    assert isinstance(added, MemberAdded)
    assert (added.entity_id, added.user_id, added.role) == (entity.id, olga.id, "OWNER")


async def test_a_taken_slug_is_refused_and_nothing_is_stored(
    entities: Entities, store: MemoryStore, sign_up
):
    olga, sam = await sign_up("olga"), await sign_up("sam")
    await entities.create(olga.actor, name="A", slug="night-shift", kind=EntityKind.CREATOR)
    before = (len(store.state.entities), len(store.state.memberships), len(store.outbox))
    with pytest.raises(SlugTaken) as raised:
        await entities.create(sam.actor, name="B", slug="NIGHT-SHIFT", kind=EntityKind.CREATOR)
    assert raised.value.field == "slug"
    assert (len(store.state.entities), len(store.state.memberships), len(store.outbox)) == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"slug": "ab"}, "slug"),
        ({"slug": "-night"}, "slug"),
        ({"slug": "night-"}, "slug"),
        ({"slug": "night shift"}, "slug"),
        ({"slug": "x" * 65}, "slug"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"bio": "x" * 2001}, "bio"),
    ],
)
async def test_invalid_entity_fields_are_refused_per_field(
    entities: Entities, store: MemoryStore, sign_up, fields: dict[str, str], field: str
):
    olga = await sign_up("olga")
    before = len(store.outbox)
    with pytest.raises(InvalidInput) as raised:
        await entities.create(
            olga.actor, **({"name": "Night", "slug": "night"} | fields), kind=EntityKind.CREATOR
        )
    assert raised.value.field == field
    assert store.state.entities == {}
    assert len(store.outbox) == before


@pytest.mark.parametrize(
    "slug", ["deadbeefdeadbeefdeadbeefdeadbeef", "0b0e6f3e-8d4c-4c1e-9f51-0c5c6f2e2b8d"]
)
async def test_a_slug_that_reads_as_an_id_is_refused(
    entities: Entities, store: MemoryStore, sign_up, slug: str
):
    """URLs carry an id or a slug; a UUID-shaped slug could never be looked up by slug."""
    olga = await sign_up("olga")
    with pytest.raises(InvalidInput) as raised:
        await entities.create(olga.actor, name="Hex", slug=slug, kind=EntityKind.CREATOR)
    assert raised.value.field == "slug"
    assert store.state.entities == {}


async def test_get_finds_by_id_id_text_or_slug(entities: Entities, entity):
    for ref in (entity.id, str(entity.id), "night-shift", " Night-Shift "):
        assert (await entities.get(ref)).id == entity.id


@pytest.mark.parametrize("ref", ["no-such-slug", "0190a2b1-0000-7000-8000-000000000001"])
async def test_get_unknown_entity_is_not_found(entities: Entities, entity, ref: str):
    with pytest.raises(EntityNotFound):
        await entities.get(ref)


async def test_search_filters_by_text_kind_and_verification(
    entities: Entities, cast, team, clock: FakeClock
):
    await team(cast["olga"], slug="night-shift")
    clock.tick()
    org = await entities.create(
        cast["sam"].actor, name="Day Club", slug="day-club", kind=EntityKind.ORGANIZATION
    )
    await entities.verify(cast["root"].actor, org.id)
    page = PageRequest()

    async def slugs(**search) -> list[str]:
        return [e.slug for e in (await entities.search(EntitySearch(**search), page)).items]

    assert await slugs() == ["day-club", "night-shift"]
    assert await slugs(q="NIGHT") == ["night-shift"]
    assert await slugs(kind=EntityKind.ORGANIZATION) == ["day-club"]
    assert await slugs(verified=False) == ["night-shift"]


# --- update and delete --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["olga", "adam", "root"])
async def test_owners_entity_admins_and_platform_admins_may_update(
    entities: Entities, store: MemoryStore, cast, entity, who: str
):
    updated = await entities.update(
        cast[who].actor, entity.id, EntityChanges(name="Night Shift Live", bio="live sets")
    )
    assert (updated.name, updated.bio) == ("Night Shift Live", "live sets")
    assert store.state.entities[entity.id].name == "Night Shift Live"
    [event] = events_of(store, EntityUpdated)
    assert event.fields == ["name", "bio"]


@pytest.mark.parametrize("who", ["cora", "sam"])
async def test_collaborators_and_strangers_may_not_update(
    entities: Entities, store: MemoryStore, cast, entity, who: str
):
    with pytest.raises(EntityPermissionDenied):
        await entities.update(cast[who].actor, entity.id, EntityChanges(name="Hijacked"))
    assert store.state.entities[entity.id].name == "Night Shift"
    assert events_of(store, EntityUpdated) == []


async def test_update_to_a_taken_slug_is_refused(entities: Entities, store, cast, entity, team):
    await team(cast["sam"], slug="day-club")
    with pytest.raises(SlugTaken):
        await entities.update(cast["olga"].actor, entity.id, EntityChanges(slug="Day-Club"))
    assert store.state.entities[entity.id].slug == "night-shift"
    same = await entities.update(cast["olga"].actor, entity.id, EntityChanges(slug="night-shift"))
    assert same.slug == "night-shift"


async def test_renamed_slug_resolves(entities: Entities, cast, entity):
    await entities.update(cast["olga"].actor, "night-shift", EntityChanges(slug="late-shift"))
    assert (await entities.get("late-shift")).id == entity.id
    with pytest.raises(EntityNotFound):
        await entities.get("night-shift")


@pytest.mark.parametrize("who", ["olga", "root"])
async def test_owners_and_platform_admins_may_delete(
    entities: Entities, follows: Follows, store: MemoryStore, cast, entity, who: str
):
    await follows.follow(cast["sam"].actor, entity.id)
    await entities.delete(cast[who].actor, entity.id)
    with pytest.raises(EntityNotFound):
        await entities.get(entity.id)
    assert store.state.memberships == {}
    assert store.state.follows == {}
    [event] = events_of(store, EntityDeleted)
    assert (event.entity_id, event.deleted_by) == (entity.id, cast[who].id)


@pytest.mark.parametrize("who", ["adam", "cora", "sam"])
async def test_entity_admins_and_below_may_not_delete(
    entities: Entities, store: MemoryStore, cast, entity, who: str
):
    with pytest.raises(EntityPermissionDenied):
        await entities.delete(cast[who].actor, entity.id)
    assert entity.id in store.state.entities
    assert events_of(store, EntityDeleted) == []


# --- the team -----------------------------------------------------------------------------


async def test_members_lists_the_team_oldest_first(entities: Entities, entity):
    team = await entities.members(entity.id)
    assert [(m.user.username, m.role) for m in team] == [
        ("olga", MemberRole.OWNER),
        ("adam", MemberRole.ADMIN),
        ("cora", MemberRole.COLLABORATOR),
    ]


async def test_entity_admin_can_add_a_collaborator(
    entities: Entities, store: MemoryStore, cast, entity
):
    member = await entities.add_member(
        cast["adam"].actor, entity.id, username="SAM", role=MemberRole.COLLABORATOR
    )
    assert (member.user.id, member.role) == (cast["sam"].id, MemberRole.COLLABORATOR)
    assert roles_in(store, entity.id)["sam"] is MemberRole.COLLABORATOR
    assert events_of(store, MemberAdded)[-1].user_id == cast["sam"].id


@pytest.mark.parametrize(
    ("username", "role"),
    [
        ("sam", MemberRole.OWNER),  # create an owner
        ("cora", MemberRole.OWNER),  # promote to owner
        ("olga", MemberRole.ADMIN),  # demote an owner
    ],
)
async def test_entity_admin_cannot_touch_ownership(
    entities: Entities, store: MemoryStore, cast, entity, username: str, role: MemberRole
):
    before = roles_in(store, entity.id)
    with pytest.raises(EntityPermissionDenied):
        await entities.add_member(cast["adam"].actor, entity.id, username=username, role=role)
    assert roles_in(store, entity.id) == before


async def test_entity_admin_cannot_remove_an_owner_but_can_remove_a_collaborator(
    entities: Entities, store: MemoryStore, cast, entity
):
    with pytest.raises(EntityPermissionDenied):
        await entities.remove_member(cast["adam"].actor, entity.id, cast["olga"].id)
    await entities.remove_member(cast["adam"].actor, entity.id, cast["cora"].id)
    assert roles_in(store, entity.id) == {"olga": MemberRole.OWNER, "adam": MemberRole.ADMIN}
    [event] = events_of(store, MemberRemoved)
    assert event.user_id == cast["cora"].id


@pytest.mark.parametrize("who", ["cora", "sam"])
async def test_collaborators_and_strangers_cannot_manage_the_team(
    entities: Entities, store: MemoryStore, cast, entity, who: str
):
    before = roles_in(store, entity.id)
    with pytest.raises(EntityPermissionDenied):
        await entities.add_member(
            cast[who].actor, entity.id, username="sam", role=MemberRole.COLLABORATOR
        )
    with pytest.raises(EntityPermissionDenied):
        await entities.remove_member(cast[who].actor, entity.id, cast["adam"].id)
    assert roles_in(store, entity.id) == before


async def test_owner_can_hand_over_ownership_and_leave(
    entities: Entities, store: MemoryStore, cast, entity
):
    olga, adam = cast["olga"], cast["adam"]
    await entities.change_member_role(olga.actor, entity.id, adam.id, MemberRole.OWNER)
    await entities.remove_member(olga.actor, entity.id, olga.id)
    assert roles_in(store, entity.id) == {"adam": MemberRole.OWNER, "cora": MemberRole.COLLABORATOR}
    [changed] = events_of(store, MemberRoleChanged)
    assert (changed.old_role, changed.new_role) == ("ADMIN", "OWNER")


async def test_platform_admin_can_appoint_an_owner(
    entities: Entities, store: MemoryStore, cast, entity
):
    await entities.add_member(cast["root"].actor, entity.id, username="sam", role=MemberRole.OWNER)
    assert roles_in(store, entity.id)["sam"] is MemberRole.OWNER


@pytest.mark.parametrize("who", ["adam", "cora"])
async def test_a_member_may_leave_on_their_own(
    entities: Entities, store: MemoryStore, cast, entity, who: str
):
    await entities.remove_member(cast[who].actor, entity.id, cast[who].id)
    assert who not in roles_in(store, entity.id)


async def test_the_last_owner_can_neither_leave_nor_be_demoted(
    entities: Entities, store: MemoryStore, cast, entity
):
    olga = cast["olga"]
    before, outbox = roles_in(store, entity.id), len(store.outbox)
    with pytest.raises(LastOwnerRequired):
        await entities.remove_member(olga.actor, entity.id, olga.id)
    with pytest.raises(LastOwnerRequired):
        await entities.change_member_role(olga.actor, entity.id, olga.id, MemberRole.ADMIN)
    with pytest.raises(LastOwnerRequired):
        await entities.add_member(olga.actor, entity.id, username="olga", role=MemberRole.ADMIN)
    assert roles_in(store, entity.id) == before
    assert len(store.outbox) == outbox


async def test_add_member_changes_the_role_of_an_existing_member(
    entities: Entities, store: MemoryStore, cast, entity
):
    await entities.add_member(cast["olga"].actor, entity.id, username="cora", role=MemberRole.ADMIN)
    assert roles_in(store, entity.id)["cora"] is MemberRole.ADMIN
    [changed] = events_of(store, MemberRoleChanged)
    assert changed.user_id == cast["cora"].id


async def test_setting_the_same_role_again_raises_no_event(
    entities: Entities, store: MemoryStore, cast, entity
):
    outbox = len(store.outbox)
    await entities.add_member(
        cast["olga"].actor, entity.id, username="cora", role=MemberRole.COLLABORATOR
    )
    await entities.change_member_role(
        cast["olga"].actor, entity.id, cast["cora"].id, MemberRole.COLLABORATOR
    )
    assert len(store.outbox) == outbox


async def test_team_changes_name_real_people(entities: Entities, cast, entity):
    olga = cast["olga"].actor
    with pytest.raises(UserNotFound):
        await entities.add_member(olga, entity.id, username="ghost", role=MemberRole.ADMIN)
    with pytest.raises(UserNotFound):
        await entities.change_member_role(olga, entity.id, new_id(), MemberRole.ADMIN)
    with pytest.raises(NotAMember):
        await entities.change_member_role(olga, entity.id, cast["sam"].id, MemberRole.ADMIN)
    with pytest.raises(NotAMember):
        await entities.remove_member(olga, entity.id, cast["sam"].id)


# --- verification -------------------------------------------------------------------------


async def test_verification_request_is_idempotent(
    entities: Entities, store: MemoryStore, clock: FakeClock, cast, entity
):
    first = await entities.request_verification(cast["adam"].actor, entity.id)
    clock.tick()
    second = await entities.request_verification(cast["olga"].actor, entity.id)
    assert first.verification_requested_at == second.verification_requested_at
    [event] = events_of(store, VerificationRequested)
    assert event.requested_by == cast["adam"].id


@pytest.mark.parametrize("who", ["cora", "sam"])
async def test_only_owners_and_entity_admins_request_verification(
    entities: Entities, store: MemoryStore, cast, entity, who: str
):
    with pytest.raises(EntityPermissionDenied):
        await entities.request_verification(cast[who].actor, entity.id)
    assert store.state.entities[entity.id].verification_requested_at is None


async def test_platform_admin_verifies_once(entities: Entities, store: MemoryStore, cast, entity):
    await entities.request_verification(cast["olga"].actor, entity.id)
    verified = await entities.verify(cast["root"].actor, entity.id)
    assert verified.verified
    assert store.state.entities[entity.id].verified_at is not None
    with pytest.raises(AlreadyVerified):
        await entities.verify(cast["root"].actor, entity.id)
    [event] = events_of(store, EntityVerified)
    assert event.verified_by == cast["root"].id
    with pytest.raises(AlreadyVerified):
        await entities.request_verification(cast["olga"].actor, entity.id)


async def test_owners_cannot_verify_their_own_entity(
    entities: Entities, store: MemoryStore, cast, entity
):
    with pytest.raises(PermissionDenied):
        await entities.verify(cast["olga"].actor, entity.id)
    assert not store.state.entities[entity.id].verified


async def test_entity_edits_each_event_reaches_the_outbox_once(
    entities: Entities, store: MemoryStore, sign_up
):
    olga = await sign_up("olga")
    outbox = len(store.outbox)
    entity = await entities.create(olga.actor, name="N", slug="night", kind=EntityKind.CREATOR)
    await entities.update(olga.actor, entity.id, EntityChanges(name="Night"))
    await entities.request_verification(olga.actor, entity.id)
    new = store.outbox[outbox:]
    assert [type(e).__name__ for e in new] == [
        "EntityCreated",
        "MemberAdded",
        "EntityUpdated",
        "VerificationRequested",
    ]


# --- a user's entities --------------------------------------------------------------------


async def test_of_user_lists_roles_and_respects_private_profiles(
    entities: Entities, profiles: Profiles, cast, entity
):
    page = PageRequest()
    listed = await entities.of_user("cora", None, page)
    assert [(e.entity.id, e.role) for e in listed.items] == [(entity.id, MemberRole.COLLABORATOR)]
    await profiles.update_me(cast["cora"].actor, ProfileChanges(is_private=True))
    for viewer in (None, cast["sam"].actor):
        with pytest.raises(PermissionDenied):
            await entities.of_user("cora", viewer, page)
    for viewer in (cast["cora"].actor, cast["root"].actor):
        assert len((await entities.of_user("cora", viewer, page)).items) == 1
