from __future__ import annotations

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.entities.model import MemberRole, Membership
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.pagination import PageRequest
from tests.contract.builders import a_user, an_entity, state_of, store


async def test_a_membership_comes_back(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    user, entity = a_user(clock, "ana"), an_entity(clock, "band")
    await store(uow_factory, users=[user], entities=[entity])
    membership = Membership(entity.id, user.id, MemberRole.OWNER, clock.tick())

    async with uow_factory() as uow:
        await uow.memberships.add(membership)
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.memberships.get(entity.id, user.id)
        assert await uow.memberships.get(entity.id, new_id()) is None
        assert await uow.memberships.get(new_id(), user.id) is None
    assert found is not None
    assert state_of(found) == state_of(membership)
    assert found.role is MemberRole.OWNER


async def test_the_team_lists_oldest_first(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    users = [a_user(clock, f"member_{n}") for n in range(5)]
    entity, other = an_entity(clock, "band"), an_entity(clock, "other")
    await store(uow_factory, users=users, entities=[entity, other])
    tied = clock.tick()
    async with uow_factory() as uow:
        for n, user in enumerate(users):
            at = tied if n < 3 else clock.tick()
            await uow.memberships.add(Membership(entity.id, user.id, MemberRole.ADMIN, at))
        await uow.memberships.add(Membership(other.id, users[0].id, MemberRole.OWNER, tied))
        await uow.commit()

    async with uow_factory() as uow:
        team = await uow.memberships.list_for_entity(entity.id)
        assert await uow.memberships.list_for_entity(new_id()) == []

    expected = sorted(users[:3], key=lambda u: u.id) + users[3:]
    assert [m.user_id for m in team] == [u.id for u in expected]
    assert {m.entity_id for m in team} == {entity.id}


async def test_a_users_memberships_page_newest_first(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    user = a_user(clock, "ana")
    tied = clock.tick()
    entities = [an_entity(clock, f"band-{n}") for n in range(5)]
    await store(uow_factory, users=[user], entities=entities)
    async with uow_factory() as uow:
        for n, entity in enumerate(entities):
            at = tied if n % 2 else clock.tick()
            await uow.memberships.add(Membership(entity.id, user.id, MemberRole.OWNER, at))
        await uow.commit()
        stored = [await uow.memberships.get(e.id, user.id) for e in entities]
    expected = sorted(
        (m for m in stored if m is not None),
        key=lambda m: (m.created_at, m.entity_id),
        reverse=True,
    )
    assert len(expected) == 5

    seen, cursor = [], None
    async with uow_factory() as uow:
        while True:
            page = await uow.memberships.list_for_user(user.id, PageRequest.parse(cursor, 2))
            seen += page.items
            if (cursor := page.next_cursor) is None:
                break
        empty = await uow.memberships.list_for_user(new_id(), PageRequest())

    assert [m.entity_id for m in seen] == [m.entity_id for m in expected]
    assert empty.items == []
    assert empty.next_cursor is None


async def test_update_changes_the_role_and_remove_deletes(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana, bob = a_user(clock, "ana"), a_user(clock, "bob")
    entity = an_entity(clock, "band")
    await store(uow_factory, users=[ana, bob], entities=[entity])
    async with uow_factory() as uow:
        await uow.memberships.add(Membership(entity.id, ana.id, MemberRole.OWNER, clock.tick()))
        await uow.memberships.add(
            Membership(entity.id, bob.id, MemberRole.COLLABORATOR, clock.tick())
        )
        await uow.commit()

    async with uow_factory() as uow:
        bobs = await uow.memberships.get(entity.id, bob.id)
        assert bobs is not None
        bobs.role = MemberRole.ADMIN
        await uow.memberships.update(bobs)
        await uow.memberships.remove(entity.id, ana.id)
        await uow.memberships.remove(entity.id, new_id())  # unknown: no error
        await uow.commit()

    async with uow_factory() as uow:
        team = await uow.memberships.list_for_entity(entity.id)
    assert [(m.user_id, m.role) for m in team] == [(bob.id, MemberRole.ADMIN)]


async def test_updating_a_missing_membership_creates_nothing(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    user, entity = a_user(clock, "ana"), an_entity(clock, "band")
    await store(uow_factory, users=[user], entities=[entity])

    async with uow_factory() as uow:
        await uow.memberships.update(Membership(entity.id, user.id, MemberRole.ADMIN, clock.tick()))
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.memberships.get(entity.id, user.id) is None
