from __future__ import annotations

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.follow.ports import FollowChange
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.pagination import PageRequest
from tests.contract.builders import a_user, an_entity, store


async def test_following_twice_counts_once(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    user, entity = a_user(clock, "ana"), an_entity(clock, "band")
    await store(uow_factory, users=[user], entities=[entity])

    async with uow_factory() as uow:
        assert (await uow.follows.add(user.id, entity.id, clock.tick())).changed is True
        assert (await uow.follows.add(user.id, entity.id, clock.tick())).changed is False
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.follows.add(user.id, entity.id, clock.tick())).changed is False
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.follows.is_following(user.id, entity.id)
        assert await uow.follows.follower_count(entity.id) == 1
        found = await uow.entities.get(entity.id)
    assert found is not None
    assert found.follower_count == 1


async def test_following_and_unfollowing_answer_the_follower_count_after_them(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    """`add` and `remove` say whether a row appeared or went and what the count is now,
    changed or not, within the unit's transaction (uncommitted follows included)."""
    ana, bob = a_user(clock, "ana"), a_user(clock, "bob")
    entity = an_entity(clock, "band")
    await store(uow_factory, users=[ana, bob], entities=[entity])

    async with uow_factory() as uow:
        assert await uow.follows.add(ana.id, entity.id, clock.tick()) == FollowChange(True, 1)
        assert await uow.follows.add(bob.id, entity.id, clock.tick()) == FollowChange(True, 2)
        assert await uow.follows.add(ana.id, entity.id, clock.tick()) == FollowChange(False, 2)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.follows.remove(ana.id, entity.id) == FollowChange(True, 1)
        assert await uow.follows.remove(ana.id, entity.id) == FollowChange(False, 1)
        await uow.rollback()
        # rolled back: ana follows again, and the count says so
        assert await uow.follows.add(ana.id, entity.id, clock.tick()) == FollowChange(False, 2)
        assert await uow.follows.remove(bob.id, entity.id) == FollowChange(True, 1)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.follows.follower_count(entity.id) == 1


async def test_unfollowing_removes_once(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana, bob = a_user(clock, "ana"), a_user(clock, "bob")
    entity = an_entity(clock, "band")
    await store(uow_factory, users=[ana, bob], entities=[entity])
    async with uow_factory() as uow:
        await uow.follows.add(ana.id, entity.id, clock.tick())
        await uow.follows.add(bob.id, entity.id, clock.tick())
        await uow.commit()

    async with uow_factory() as uow:
        assert (await uow.follows.remove(ana.id, entity.id)).changed is True
        assert (await uow.follows.remove(ana.id, entity.id)).changed is False
        assert (await uow.follows.remove(ana.id, new_id())).changed is False
        await uow.commit()

    async with uow_factory() as uow:
        assert not await uow.follows.is_following(ana.id, entity.id)
        assert await uow.follows.is_following(bob.id, entity.id)
        assert await uow.follows.follower_count(entity.id) == 1


async def test_counts_are_per_entity_and_zero_when_unknown(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    users = [a_user(clock, f"fan_{n}") for n in range(3)]
    big, small = an_entity(clock, "big"), an_entity(clock, "small")
    await store(uow_factory, users=users, entities=[big, small])
    async with uow_factory() as uow:
        for user in users:
            await uow.follows.add(user.id, big.id, clock.tick())
        await uow.follows.add(users[0].id, small.id, clock.tick())
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.follows.follower_count(big.id) == 3
        assert await uow.follows.follower_count(small.id) == 1
        assert await uow.follows.follower_count(new_id()) == 0
        found = await uow.entities.get_many([big.id, small.id])
    assert {i: e.follower_count for i, e in found.items()} == {big.id: 3, small.id: 1}


async def test_a_rolled_back_follow_leaves_no_trace(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    user, entity = a_user(clock, "ana"), an_entity(clock, "band")
    await store(uow_factory, users=[user], entities=[entity])

    async with uow_factory() as uow:
        await uow.follows.add(user.id, entity.id, clock.tick())
        await uow.rollback()
        assert await uow.follows.follower_count(entity.id) == 0
    async with uow_factory() as uow:
        await uow.follows.add(user.id, entity.id, clock.tick())  # never committed

    async with uow_factory() as uow:
        assert not await uow.follows.is_following(user.id, entity.id)
        assert await uow.follows.follower_count(entity.id) == 0


async def test_followers_page_newest_first_and_following_likewise(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    users = [a_user(clock, f"fan_{n}") for n in range(5)]
    entities = [an_entity(clock, f"band-{n}") for n in range(5)]
    await store(uow_factory, users=users, entities=entities)
    tied = clock.tick()
    async with uow_factory() as uow:
        for n, user in enumerate(users):
            await uow.follows.add(user.id, entities[0].id, tied if n < 3 else clock.tick())
        for n, entity in enumerate(entities[1:]):
            await uow.follows.add(users[0].id, entity.id, tied if n < 2 else clock.tick())
        await uow.commit()

    async with uow_factory() as uow:
        followers, cursor = [], None
        while True:
            page = await uow.follows.list_followers(entities[0].id, PageRequest.parse(cursor, 2))
            followers += page.items
            if (cursor := page.next_cursor) is None:
                break
        following, cursor = [], None
        while True:
            page = await uow.follows.list_following(users[0].id, PageRequest.parse(cursor, 3))
            following += page.items
            if (cursor := page.next_cursor) is None:
                break
        nobody = await uow.follows.list_followers(new_id(), PageRequest())

    assert [f.user_id for f in followers] == [
        f.user_id for f in sorted(followers, key=lambda f: (f.created_at, f.user_id), reverse=True)
    ]
    assert {f.user_id for f in followers} == {u.id for u in users}
    assert len(followers) == 5
    assert all(f.entity_id == entities[0].id for f in followers)
    assert [f.entity_id for f in following] == [
        f.entity_id
        for f in sorted(following, key=lambda f: (f.created_at, f.entity_id), reverse=True)
    ]
    assert {f.entity_id for f in following} == {e.id for e in entities}
    assert len(following) == 5
    assert followers[0].created_at.tzinfo is not None
    assert nobody.items == []
