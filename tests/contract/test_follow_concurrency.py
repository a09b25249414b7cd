"""Races the adapters must win: each task is its own unit of work, so on PostgreSQL each runs
on its own connection and transaction, truly at once; on SQLite they queue on the write lock."""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy import func, select

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.sqlalchemy.tables import follows
from showgeo_domain.identity.errors import EmailTaken
from showgeo_domain.identity.model import RefreshFamily, RefreshToken
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.pagination import PageRequest
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory
from tests.contract.builders import a_user, an_entity, store
from tests.contract.conftest import Backend

TASKS = 50
USERS = 30


async def test_concurrent_follows_and_unfollows_keep_the_count_exact(
    backend: Backend, clock: FakeClock
) -> None:
    uow_factory = backend.uow
    users = [a_user(clock, f"fan_{n}") for n in range(USERS)]
    entity = an_entity(clock, "band")
    await store(uow_factory, users=users, entities=[entity])
    # Half start as followers, so unfollows have something to remove.
    async with uow_factory() as uow:
        for user in users[::2]:
            await uow.follows.add(user.id, entity.id, clock.tick())
        await uow.commit()

    plan = random.Random(7)
    moves = [(plan.choice(users).id, plan.random() < 0.6) for _ in range(TASKS)]

    async def move(user_id: object, follow: bool) -> None:
        async with uow_factory() as uow:
            if follow:
                await uow.follows.add(user_id, entity.id, clock.tick())  # type: ignore[arg-type]
            else:
                await uow.follows.remove(user_id, entity.id)  # type: ignore[arg-type]
            await uow.commit()

    await asyncio.gather(*(move(user_id, follow) for user_id, follow in moves))

    async with uow_factory() as uow:
        rows = (await uow.follows.list_followers(entity.id, PageRequest(limit=100))).items
        counted = await uow.follows.follower_count(entity.id)
        loaded = await uow.entities.get(entity.id)
    assert loaded is not None
    assert counted == loaded.follower_count == len(rows)
    if backend.engine is not None:
        async with backend.engine.connect() as connection:
            in_table = await connection.scalar(
                select(func.count()).select_from(follows).where(follows.c.entity_id == entity.id)
            )
        assert in_table == counted


async def test_concurrent_follows_of_one_pair_count_once(
    backend: Backend, clock: FakeClock
) -> None:
    uow_factory = backend.uow
    user, entity = a_user(clock, "ana"), an_entity(clock, "band")
    await store(uow_factory, users=[user], entities=[entity])

    async def follow() -> bool:
        async with uow_factory() as uow:
            added = await uow.follows.add(user.id, entity.id, clock.tick())
            await uow.commit()
            return added

    results = await asyncio.gather(*(follow() for _ in range(10)))

    assert results.count(True) == 1
    async with uow_factory() as uow:
        assert await uow.follows.follower_count(entity.id) == 1


async def test_only_one_of_two_concurrent_uses_of_a_refresh_token_wins(
    uow_factory: UnitOfWorkFactory, clock: FakeClock
) -> None:
    user = a_user(clock, "ana")
    await store(uow_factory, users=[user])
    family = RefreshFamily(new_id(), user.id, clock.tick())
    token, _ = RefreshToken.issue(family=family, now=clock.tick(), ttl=clock.tick() - clock.now())
    async with uow_factory() as uow:
        await uow.refresh_tokens.add_family(family)
        await uow.refresh_tokens.add(token)
        await uow.commit()

    async def use() -> bool:
        async with uow_factory() as uow:
            won = await uow.refresh_tokens.mark_used(token.id, clock.tick())
            await asyncio.sleep(0.01)  # hold the row while the other one tries
            await uow.commit()
            return won

    assert sorted(await asyncio.gather(use(), use())) == [False, True]


async def test_concurrent_registrations_with_one_email_let_one_through(
    uow_factory: UnitOfWorkFactory, clock: FakeClock
) -> None:
    async def register(n: int) -> str:
        try:
            async with uow_factory() as uow:
                await uow.users.add(a_user(clock, f"twin_{n}", email="twin@example.com"))
                await asyncio.sleep(0.01)
                await uow.commit()
        except EmailTaken:
            return "taken"
        return "registered"

    results = await asyncio.gather(*(register(n) for n in range(5)))

    assert sorted(results) == ["registered"] + ["taken"] * 4


@pytest.mark.parametrize("moves", [20])
async def test_counts_survive_follow_and_unfollow_by_the_same_user_at_once(
    backend: Backend, clock: FakeClock, moves: int
) -> None:
    uow_factory = backend.uow
    user, entity = a_user(clock, "ana"), an_entity(clock, "band")
    await store(uow_factory, users=[user], entities=[entity])

    async def toggle(n: int) -> None:
        async with uow_factory() as uow:
            if n % 2:
                await uow.follows.remove(user.id, entity.id)
            else:
                await uow.follows.add(user.id, entity.id, clock.tick())
            await uow.commit()

    await asyncio.gather(*(toggle(n) for n in range(moves)))

    async with uow_factory() as uow:
        following = await uow.follows.is_following(user.id, entity.id)
        assert await uow.follows.follower_count(entity.id) == int(following)
