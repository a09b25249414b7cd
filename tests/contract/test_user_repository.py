from __future__ import annotations

from datetime import UTC, timedelta, timezone

import pytest

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.identity.errors import EmailTaken, UsernameTaken
from showgeo_domain.identity.model import Role
from showgeo_domain.shared.ids import new_id
from tests.contract.builders import a_user, state_of, store


async def test_a_stored_user_comes_back_field_for_field(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    user = a_user(clock, "ana")
    user.update_profile(now=clock.tick(), bio="Sings. Ça va ?", is_private=True)
    user.grant(Role.ADMIN, clock.tick())
    await store(uow_factory, users=[user])

    async with uow_factory() as uow:
        by_id = await uow.users.get(user.id)
        by_email = await uow.users.get_by_email("ana@example.com")
        by_username = await uow.users.get_by_username("ana")

    for found in (by_id, by_email, by_username):
        assert found is not None
        assert state_of(found) == state_of(user)
        assert found.roles == frozenset({Role.USER, Role.ADMIN})
        assert found.created_at.tzinfo is not None
        assert found.created_at.utcoffset() == timedelta(0)


async def test_timestamps_in_other_zones_are_stored_as_the_same_instant(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    here = clock.tick().astimezone(timezone(timedelta(hours=-5)))
    user = a_user(clock, "zoe", at=here)
    await store(uow_factory, users=[user])

    async with uow_factory() as uow:
        found = await uow.users.get(user.id)

    assert found is not None
    assert found.created_at == here
    assert found.created_at.tzinfo is not None
    assert found.created_at.astimezone(UTC) == found.created_at


async def test_unknown_users_are_none(uow_factory: PlatformUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        assert await uow.users.get(new_id()) is None
        assert await uow.users.get_by_email("nobody@example.com") is None
        assert await uow.users.get_by_username("nobody") is None


async def test_an_email_in_use_is_refused(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    await store(uow_factory, users=[a_user(clock, "ana")])
    twin = a_user(clock, "ana2", email="ana@example.com")

    async with uow_factory() as uow:
        with pytest.raises(EmailTaken):
            await uow.users.add(twin)


async def test_a_username_in_use_is_refused(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    await store(uow_factory, users=[a_user(clock, "ana")])
    twin = a_user(clock, "other")
    twin.username = "ana"

    async with uow_factory() as uow:
        with pytest.raises(UsernameTaken):
            await uow.users.add(twin)


async def test_a_refused_duplicate_leaves_the_unit_of_work_usable(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    """On PostgreSQL a failed statement would abort the transaction; it must not."""
    first = a_user(clock, "ana")
    async with uow_factory() as uow:
        await uow.users.add(first)
        with pytest.raises(EmailTaken):
            await uow.users.add(a_user(clock, "ana_two", email="ana@example.com"))
        await uow.users.add(a_user(clock, "bob"))
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.users.get_many([first.id])
        assert list(found) == [first.id]
        assert await uow.users.get_by_username("bob") is not None
        assert await uow.users.get_by_username("ana_two") is None


async def test_update_stores_the_profile(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    user = a_user(clock, "ana")
    await store(uow_factory, users=[user])

    async with uow_factory() as uow:
        loaded = await uow.users.get(user.id)
        assert loaded is not None
        loaded.update_profile(now=clock.tick(), display_name="Ana B.", bio="hello")
        await uow.users.update(loaded)
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.users.get(user.id)
    assert found is not None
    assert state_of(found) == state_of(loaded)
    assert found.display_name == "Ana B."
    assert found.updated_at > found.created_at


async def test_get_many_returns_the_known_ids_only(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    users = [a_user(clock, f"user_{n}") for n in range(3)]
    await store(uow_factory, users=users)
    missing = new_id()

    async with uow_factory() as uow:
        found = await uow.users.get_many([users[0].id, missing, users[2].id, users[0].id])
        nothing = await uow.users.get_many([])

    assert set(found) == {users[0].id, users[2].id}
    assert {u.username for u in found.values()} == {"user_0", "user_2"}
    assert nothing == {}
