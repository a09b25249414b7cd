"""Sign-up, login and profiles on the memory adapters."""

from __future__ import annotations

import pytest

from showgeo_adapters.memory import FakeClock, MemoryStore
from showgeo_domain.identity.domain_events import UserProfileUpdated, UserRegistered
from showgeo_domain.identity.errors import (
    EmailTaken,
    InvalidCredentials,
    UsernameTaken,
)
from showgeo_domain.identity.model import Actor, Role
from showgeo_domain.identity.services import (
    Authentication,
    ProfileChanges,
    Profiles,
    UserNotFound,
)
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.ids import new_id
from tests.domain.conftest import PASSWORD, FakePasswordHasher, events_of


def stored_counts(store: MemoryStore) -> tuple[int, int, int, int]:
    state = store.state
    return (
        len(state.users),
        len(state.refresh_families),
        len(state.refresh_tokens),
        len(store.outbox),
    )


# --- registration -------------------------------------------------------------------------


async def test_register_normalises_email_and_username(auth: Authentication, store: MemoryStore):
    session = await auth.register(
        email="  Ana.Lopez@Example.COM ", username=" Ana_Lopez ", password=PASSWORD
    )
    stored = store.state.users[session.user.id]
    assert (stored.email, stored.username) == ("ana.lopez@example.com", "ana_lopez")
    assert stored.display_name == "ana_lopez", "display name defaults to the username"
    assert stored.password_hash == f"h1:{PASSWORD}"
    assert session.token_type == "Bearer"
    assert auth.authenticate(session.access_token) == Actor(session.user.id, frozenset({Role.USER}))


async def test_register_starts_a_session_and_announces_the_user(
    auth: Authentication, store: MemoryStore
):
    session = await auth.register(
        email="ana@example.com", username="ana", password=PASSWORD, display_name="  Ana L. "
    )
    assert session.user.display_name == "Ana L."
    assert stored_counts(store) == (1, 1, 1, 1)
    [event] = events_of(store, UserRegistered)
    assert (event.user_id, event.username) == (session.user.id, "ana")
    assert event.subject() == "showgeo.identity.user_registered"
    refreshed = await auth.refresh(session.refresh_token)
    assert refreshed.user.id == session.user.id


@pytest.mark.parametrize(
    ("email", "username"),
    [
        ("ANA@example.com", "other"),
        (" ana@EXAMPLE.com ", "other"),
    ],
)
async def test_duplicate_email_is_taken_case_insensitively(
    auth: Authentication, store: MemoryStore, email: str, username: str
):
    await auth.register(email="ana@example.com", username="ana", password=PASSWORD)
    before = stored_counts(store)
    with pytest.raises(EmailTaken) as raised:
        await auth.register(email=email, username=username, password=PASSWORD)
    assert raised.value.field == "email"
    assert stored_counts(store) == before


@pytest.mark.parametrize("username", ["ana", "ANA", " Ana "])
async def test_duplicate_username_is_taken_case_insensitively(
    auth: Authentication, store: MemoryStore, username: str
):
    await auth.register(email="ana@example.com", username="ana", password=PASSWORD)
    before = stored_counts(store)
    with pytest.raises(UsernameTaken) as raised:
        await auth.register(email="other@example.com", username=username, password=PASSWORD)
    assert raised.value.field == "username"
    assert stored_counts(store) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "ana@localhost"}, "email"),
        ({"email": "ana @example.com"}, "email"),
        ({"email": "a" * 65 + "@example.com"}, "email"),
        ({"email": "ana@" + "a" * 250 + ".com"}, "email"),
        ({"username": "ab"}, "username"),
        ({"username": "a" * 31}, "username"),
        ({"username": "ana lopez"}, "username"),
        ({"username": "ana-lopez"}, "username"),
        ({"username": "añá"}, "username"),
        ({"password": "7 chars"}, "password"),
        ({"password": "x" * 129}, "password"),
        ({"display_name": "x" * 81}, "display_name"),
    ],
)
async def test_invalid_registration_names_the_field_and_stores_nothing(
    auth: Authentication, store: MemoryStore, changes: dict[str, str], field: str
):
    fields = {"email": "ana@example.com", "username": "ana", "password": PASSWORD} | changes
    with pytest.raises(InvalidInput) as raised:
        await auth.register(**fields)
    assert raised.value.field == field
    assert stored_counts(store) == (0, 0, 0, 0)


async def test_password_length_bounds_are_inclusive(auth: Authentication):
    await auth.register(email="a@example.com", username="short_pw", password="x" * 8)
    await auth.register(email="b@example.com", username="long_pw", password="x" * 128)


# --- login --------------------------------------------------------------------------------


async def test_login_accepts_the_email_in_any_case(auth: Authentication, sign_up):
    ana = await sign_up("ana")
    session = await auth.login(email="  ANA@Example.com ", password=PASSWORD)
    assert session.user.id == ana.id


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("ana@example.com", "wrong password"),
        ("ana@example.com", PASSWORD.upper()),
        ("nobody@example.com", PASSWORD),
    ],
)
async def test_login_with_wrong_credentials_is_refused_vaguely(
    auth: Authentication, store: MemoryStore, sign_up, email: str, password: str
):
    await sign_up("ana")
    before = stored_counts(store)
    with pytest.raises(InvalidCredentials) as raised:
        await auth.login(email=email, password=password)
    assert raised.value.field is None
    assert stored_counts(store) == before


async def test_login_upgrades_an_outdated_password_hash(
    auth: Authentication, store: MemoryStore, hasher: FakePasswordHasher, sign_up
):
    ana = await sign_up("ana")
    hasher.scheme = "h2"
    await auth.login(email="ana@example.com", password=PASSWORD)
    assert store.state.users[ana.id].password_hash == f"h2:{PASSWORD}"
    await auth.login(email="ana@example.com", password=PASSWORD)


async def test_login_keeps_a_current_hash(auth: Authentication, store: MemoryStore, sign_up):
    ana = await sign_up("ana")
    await auth.login(email="ana@example.com", password=PASSWORD)
    assert store.state.users[ana.id].password_hash == f"h1:{PASSWORD}"


async def test_me_returns_the_stored_user(auth: Authentication, sign_up):
    ana = await sign_up("ana")
    assert (await auth.me(ana.actor)).username == "ana"
    with pytest.raises(UserNotFound):
        await auth.me(Actor(new_id()))


# --- platform admins ----------------------------------------------------------------------


async def test_create_admin_creates_or_promotes(auth: Authentication, store: MemoryStore, sign_up):
    ana = await sign_up("ana")
    promoted = await auth.create_admin(email="ANA@example.com", username="Ana", password=PASSWORD)
    assert promoted.id == ana.id
    assert store.state.users[ana.id].is_admin
    created = await auth.create_admin(email="root@example.com", username="root", password=PASSWORD)
    assert store.state.users[created.id].roles == frozenset({Role.USER, Role.ADMIN})


async def test_create_admin_refuses_an_email_held_by_another_username(
    auth: Authentication, store: MemoryStore, sign_up
):
    await sign_up("ana")
    await sign_up("bob")
    with pytest.raises(EmailTaken):
        await auth.create_admin(email="ana@example.com", username="root", password=PASSWORD)
    with pytest.raises(UsernameTaken):
        await auth.create_admin(email="new@example.com", username="bob", password=PASSWORD)
    assert not any(u.is_admin for u in store.state.users.values())


# --- profiles -----------------------------------------------------------------------------


async def test_private_profiles_are_visible_only_to_their_owner_and_admins(
    profiles: Profiles, sign_up
):
    ana, bob, root = await sign_up("ana"), await sign_up("bob"), await sign_up("root", admin=True)
    public = await profiles.get("ana")
    assert all(public.visible_to(viewer) for viewer in (None, bob.actor, ana.actor, root.actor))
    await profiles.update_me(ana.actor, ProfileChanges(is_private=True))
    private = await profiles.get("ANA")
    assert not private.visible_to(None)
    assert not private.visible_to(bob.actor)
    assert private.visible_to(ana.actor)
    assert private.visible_to(root.actor)


async def test_profiles_get_unknown_user_is_not_found(profiles: Profiles):
    with pytest.raises(UserNotFound):
        await profiles.get("ghost")


async def test_update_profile_changes_fields_and_announces_them(
    profiles: Profiles, store: MemoryStore, clock: FakeClock, sign_up
):
    ana = await sign_up("ana")
    clock.tick()
    updated = await profiles.update_me(
        ana.actor, ProfileChanges(display_name=" Ana L. ", bio=" sings ", is_private=True)
    )
    stored = store.state.users[ana.id]
    assert (stored.display_name, stored.bio, stored.is_private) == ("Ana L.", "sings", True)
    assert stored.updated_at == clock.now() == updated.updated_at
    [event] = events_of(store, UserProfileUpdated)
    assert event.fields == ["display_name", "bio", "is_private"]


async def test_profile_edits_each_event_reaches_the_outbox_once(
    profiles: Profiles, store: MemoryStore, sign_up
):
    ana = await sign_up("ana")
    await profiles.update_me(ana.actor, ProfileChanges(bio="one"))
    await profiles.update_me(ana.actor, ProfileChanges(bio="two"))
    ids = [e.id for e in store.outbox]
    assert len(ids) == len(set(ids)) == 3, [type(e).__name__ for e in store.outbox]


async def test_update_profile_clears_the_bio(profiles: Profiles, store: MemoryStore, sign_up):
    ana = await sign_up("ana")
    await profiles.update_me(ana.actor, ProfileChanges(bio="sings"))
    await profiles.update_me(ana.actor, ProfileChanges(clear_bio=True))
    assert store.state.users[ana.id].bio is None


async def test_an_empty_update_raises_no_event(profiles: Profiles, store: MemoryStore, sign_up):
    ana = await sign_up("ana")
    await profiles.update_me(ana.actor, ProfileChanges())
    assert events_of(store, UserProfileUpdated) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (ProfileChanges(display_name=""), "display_name"),
        (ProfileChanges(display_name="   "), "display_name"),
        (ProfileChanges(display_name="x" * 81), "display_name"),
        (ProfileChanges(display_name="Valid", bio="x" * 501), "bio"),
    ],
)
async def test_invalid_profile_updates_change_nothing(
    profiles: Profiles, store: MemoryStore, sign_up, changes: ProfileChanges, field: str
):
    ana = await sign_up("ana")
    before = stored_counts(store)
    with pytest.raises(InvalidInput) as raised:
        await profiles.update_me(ana.actor, changes)
    assert raised.value.field == field
    assert store.state.users[ana.id].display_name == "ana"
    assert store.state.users[ana.id].bio is None
    assert stored_counts(store) == before


async def test_update_profile_of_a_deleted_account_is_not_found(profiles: Profiles):
    with pytest.raises(UserNotFound):
        await profiles.update_me(Actor(new_id()), ProfileChanges(display_name="x"))
