"""A read-only unit of work (`uow_factory(read_only=True)`, what hot reads use so PostgreSQL
skips BEGIN/ROLLBACK) reads what is committed and refuses to commit, on every backend; and
the follower count a follow returns is its own transaction's, never a rolled-back one."""

from __future__ import annotations

import pytest

from showgeo_adapters.memory import FakeClock
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory
from tests.contract.builders import a_user, an_entity, store


async def test_a_read_only_unit_of_work_reads_and_cannot_commit(
    uow_factory: UnitOfWorkFactory, clock: FakeClock
) -> None:
    ana, entity = a_user(clock, "ana"), an_entity(clock, "band")
    await store(uow_factory, users=[ana], entities=[entity])
    async with uow_factory() as uow:
        await uow.follows.add(ana.id, entity.id, clock.tick())
        await uow.commit()

    async with uow_factory(read_only=True) as uow:
        found = await uow.entities.get(entity.id)
        assert found is not None
        assert found.follower_count == 1
        assert await uow.follows.is_following(ana.id, entity.id)
        with pytest.raises(RuntimeError, match="read-only"):
            await uow.commit()


async def test_a_rolled_back_follow_does_not_leave_its_count_behind(
    uow_factory: UnitOfWorkFactory, clock: FakeClock
) -> None:
    ana, bob = a_user(clock, "ana"), a_user(clock, "bob")
    entity = an_entity(clock, "band")
    await store(uow_factory, users=[ana, bob], entities=[entity])
    async with uow_factory() as uow:
        assert await uow.follows.add(ana.id, entity.id, clock.tick())
        assert await uow.follows.follower_count(entity.id) == 1
        await uow.rollback()
        assert await uow.follows.follower_count(entity.id) == 0
        assert await uow.follows.add(bob.id, entity.id, clock.tick())
        await uow.commit()
        assert await uow.follows.follower_count(entity.id) == 1
