"""Races the adapters must win: each task is its own unit of work, so on PostgreSQL each runs
on its own connection and transaction, truly at once; on SQLite they queue on the write lock."""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy import func, select

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.sqlalchemy.tables import follows
from showgeo_domain.shared.pagination import PageRequest
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
            added = (await uow.follows.add(user.id, entity.id, clock.tick())).changed
            await uow.commit()
            return added

    results = await asyncio.gather(*(follow() for _ in range(10)))

    assert results.count(True) == 1
    async with uow_factory() as uow:
        assert await uow.follows.follower_count(entity.id) == 1


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
