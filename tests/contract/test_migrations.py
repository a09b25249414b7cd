"""On PostgreSQL, with data present: upgrade from empty to head, downgrade to base, upgrade
again — every migration's downgrade undoes it cleanly, and the schema works afterwards."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from sqlalchemy import inspect

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.sqlalchemy import create_engine, sql_uow_factory, upgrade
from showgeo_adapters.sqlalchemy.migrate import alembic_config
from showgeo_adapters.sqlalchemy.tables import metadata
from showgeo_domain.entities.model import MemberRole
from showgeo_domain.notifications.model import NotificationDraft, NotificationKind
from showgeo_domain.shared.ids import new_id
from tests.contract.builders import a_membership, a_user, an_entity, an_event, store
from tests.support.postgres import fresh_database

pytestmark = pytest.mark.postgres


async def _fill(url: str, clock: FakeClock, n: int) -> None:
    engine = create_engine(url)
    try:
        uow = sql_uow_factory(engine)
        fans = [a_user(clock, f"fan_{n}_{i}") for i in range(5)]
        entity = an_entity(clock, f"owls-{n}")
        await store(uow, users=fans, entities=[entity], events=[an_event(clock, entity)])
        async with uow() as unit:
            await unit.memberships.add(
                a_membership(entity, fans[0], MemberRole.OWNER, clock.tick())
            )
            for fan in fans[1:]:
                await unit.follows.add(fan.id, entity.id, clock.tick())
            draft = NotificationDraft(NotificationKind.LIVE_NOW, "live", "now", {}, entity.id)
            await unit.notifications.fan_out_to_followers(entity.id, draft, new_id(), clock.tick())
            await unit.commit()
    finally:
        await engine.dispose()


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_up_down_up_with_data() -> None:
    clock = FakeClock()
    async with fresh_database() as url:
        await upgrade(url)
        assert set(metadata.tables) <= await _tables(url)
        await _fill(url, clock, 1)

        config = alembic_config(url)
        await asyncio.to_thread(command.downgrade, config, "base")
        assert await _tables(url) <= {"alembic_version"}

        await upgrade(url)
        assert set(metadata.tables) <= await _tables(url)
        await _fill(url, clock, 2)  # the same data fits again
