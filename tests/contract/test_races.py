"""Races on unique things, fought by separate units of work: on PostgreSQL truly at once on
separate connections, on SQLite queued on the write lock, in memory one after the other."""

from __future__ import annotations

import asyncio

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.entities.errors import SlugTaken
from showgeo_domain.identity.errors import EmailTaken
from showgeo_domain.identity.model import RefreshFamily, RefreshToken
from showgeo_domain.shared.ids import new_id
from tests.contract.builders import a_user, an_entity, store


async def test_only_one_of_two_concurrent_uses_of_a_refresh_token_wins(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
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
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
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


async def test_concurrent_renames_to_one_slug_let_one_through(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    """Both pass the up-front check before either commits; the unique index decides, and the
    loser gets SlugTaken with its transaction still usable."""
    first, second = an_entity(clock, "first"), an_entity(clock, "second")
    await store(uow_factory, entities=[first, second])

    async def rename(entity_id: object) -> str:
        async with uow_factory() as uow:
            entity = await uow.entities.get(entity_id)  # type: ignore[arg-type]
            assert entity is not None
            entity.update(now=clock.tick(), slug="wanted")
            try:
                await uow.entities.update(entity)
            except SlugTaken:
                assert await uow.entities.get(entity.id) is not None  # still usable
                return "taken"
            await asyncio.sleep(0.05)
            await uow.commit()
            return "renamed"

    results = await asyncio.gather(rename(first.id), rename(second.id))

    assert sorted(results) == ["renamed", "taken"]
