"""The permission table every context consults: who may do what to an entity."""

from __future__ import annotations

from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from showgeo_domain.entities.errors import EntityPermissionDenied
from showgeo_domain.entities.model import MemberRole
from showgeo_domain.entities.policy import (
    PLATFORM_ADMIN_PERMISSIONS,
    EntityPermission,
    is_allowed,
    member_change_permission,
    permissions_of,
    require,
)
from showgeo_domain.identity.model import Actor, Role

ALL = frozenset(EntityPermission)
P = EntityPermission
USER = Actor(UUID(int=1))
PLATFORM_ADMIN = Actor(UUID(int=2), frozenset({Role.USER, Role.ADMIN}))

# Weakest first; None is a stranger with no membership.
ROLE_LADDER: list[MemberRole | None] = [
    None,
    MemberRole.COLLABORATOR,
    MemberRole.ADMIN,
    MemberRole.OWNER,
]

actors = st.sampled_from([USER, PLATFORM_ADMIN])
entity_roles = st.sampled_from(ROLE_LADDER)
permissions = st.sampled_from(list(EntityPermission))


def granted(actor: Actor | None, role: MemberRole | None) -> set[EntityPermission]:
    return {p for p in EntityPermission if is_allowed(actor, role, p)}


def test_owners_can_do_everything() -> None:
    assert granted(USER, MemberRole.OWNER) == ALL


def test_entity_admins_can_do_everything_but_delete_and_manage_owners() -> None:
    assert granted(USER, MemberRole.ADMIN) == ALL - {P.DELETE, P.MANAGE_OWNERS}


def test_collaborators_get_only_their_subset() -> None:
    assert granted(USER, MemberRole.COLLABORATOR) == {
        P.MANAGE_EVENTS,
        P.HOST_STREAM,
        P.CHECK_IN_TICKETS,
        P.VIEW_ATTENDEES,
        P.VIEW_ANALYTICS,
        P.VIEW_PRIVATE_CONTENT,
    }


def test_strangers_get_nothing() -> None:
    assert granted(USER, None) == set()


@pytest.mark.parametrize("role", ROLE_LADDER)
def test_anonymous_callers_get_nothing_whatever_the_role_says(role: MemberRole | None) -> None:
    assert granted(None, role) == set()
    with pytest.raises(EntityPermissionDenied):
        require(None, role, P.UPDATE)


def test_platform_admins_get_the_moderation_subset_on_any_entity() -> None:
    assert granted(PLATFORM_ADMIN, None) == set(PLATFORM_ADMIN_PERMISSIONS)
    assert {P.UPDATE, P.DELETE, P.MANAGE_MEMBERS, P.MANAGE_OWNERS} <= PLATFORM_ADMIN_PERMISSIONS
    assert {P.HOST_STREAM, P.MANAGE_EVENTS, P.MANAGE_STORE, P.REQUEST_VERIFICATION}.isdisjoint(
        PLATFORM_ADMIN_PERMISSIONS
    )


def test_platform_admin_permissions_add_to_the_entity_role() -> None:
    assert granted(PLATFORM_ADMIN, MemberRole.COLLABORATOR) == set(
        PLATFORM_ADMIN_PERMISSIONS
    ) | granted(USER, MemberRole.COLLABORATOR)


def test_require_names_the_missing_permission() -> None:
    with pytest.raises(EntityPermissionDenied) as raised:
        require(USER, MemberRole.COLLABORATOR, P.UPDATE)
    assert raised.value.extra == {"permission": "UPDATE"}
    require(USER, MemberRole.ADMIN, P.UPDATE)


@given(actors, entity_roles, permissions)
def test_is_allowed_agrees_with_permissions_of(
    actor: Actor, role: MemberRole | None, permission: EntityPermission
) -> None:
    assert is_allowed(actor, role, permission) == (permission in permissions_of(actor, role))


@given(actors, entity_roles, entity_roles)
def test_a_higher_role_never_has_fewer_permissions(
    actor: Actor, lower: MemberRole | None, higher: MemberRole | None
) -> None:
    if ROLE_LADDER.index(lower) > ROLE_LADDER.index(higher):
        lower, higher = higher, lower
    assert granted(actor, lower) <= granted(actor, higher)


@given(entity_roles)
def test_becoming_platform_admin_never_removes_a_permission(role: MemberRole | None) -> None:
    assert granted(USER, role) <= granted(PLATFORM_ADMIN, role)


@given(st.lists(st.sampled_from(ROLE_LADDER), max_size=3))
def test_member_changes_touching_an_owner_need_manage_owners(
    roles: list[MemberRole | None],
) -> None:
    expected = P.MANAGE_OWNERS if MemberRole.OWNER in roles else P.MANAGE_MEMBERS
    assert member_change_permission(*roles) is expected


@pytest.mark.parametrize(
    ("current", "new", "entity_admin_may"),
    [
        (None, MemberRole.COLLABORATOR, True),
        (None, MemberRole.ADMIN, True),
        (None, MemberRole.OWNER, False),
        (MemberRole.COLLABORATOR, MemberRole.ADMIN, True),
        (MemberRole.COLLABORATOR, MemberRole.OWNER, False),
        (MemberRole.OWNER, MemberRole.ADMIN, False),
    ],
)
def test_entity_admins_run_the_team_but_never_touch_owners(
    current: MemberRole | None, new: MemberRole, entity_admin_may: bool
) -> None:
    needed = member_change_permission(current, new)
    assert is_allowed(USER, MemberRole.ADMIN, needed) is entity_admin_may
    assert is_allowed(USER, MemberRole.OWNER, needed)
