"""NATS restarted in the middle of a burst of events (10,000 in `nox -s hardening`):
afterwards every notification exists exactly once and the outbox is empty. The worker runs
on PostgreSQL with a throwaway `nats-server` that the test stops (SIGTERM) and starts again
on the same port and store while the relay and the consumers are busy."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.sqlalchemy import upgrade
from showgeo_adapters.sqlalchemy.tables import notifications, outbox
from showgeo_api.processes.worker import Worker
from showgeo_api.settings import Settings
from showgeo_api.wiring.container import bootstrap, start, stop
from showgeo_domain.entities.model import MemberRole
from showgeo_domain.follow.domain_events import EntityFollowed
from tests.contract.builders import a_membership, a_user, an_entity
from tests.support.postgres import fresh_database
from tests.support.processes import throwaway_nats

pytestmark = pytest.mark.postgres

BURST = int(os.environ.get("SHOWGEO_RESTART_BURST", "1000"))
"""5,000 in `nox -s hardening`; 1,000 in the everyday run, where the consumers' one
transaction per event (about 3 ms each on PostgreSQL) would otherwise take a minute."""
PATIENCE = 0.12
"""Seconds allowed per event: the consumers do 12 to 30 events/s on this 2-core machine
depending on what else runs (8/s is the floor this allows before calling it stuck)."""
BATCH = 1_000


async def until(count: Callable[[], Awaitable[int]], target: int, within: float) -> None:
    async with asyncio.timeout(within):
        while True:
            if await count() >= target:
                return
            await asyncio.sleep(0.1)


async def test_nats_restart_mid_burst_loses_and_doubles_nothing(tmp_path: Path) -> None:
    clock = FakeClock()
    async with fresh_database() as database_url:
        await upgrade(database_url)
        with throwaway_nats(tmp_path) as nats:
            await nats.ready()
            container = bootstrap(
                Settings(
                    showgeo_env="test",  # type: ignore[arg-type]
                    database_url=database_url,
                    nats_url=nats.url,
                )
            )
            uow, engine = container.uow(), container.engine()
            owner = a_user(clock, "owner")
            entity = an_entity(clock, "night-owls")
            async with uow() as unit:
                await unit.users.add(owner)
                await unit.entities.add(entity)
                await unit.memberships.add(
                    a_membership(entity, owner, MemberRole.OWNER, clock.tick())
                )
                await unit.commit()
            for first in range(0, BURST, BATCH):  # 10,000 fans follow: 10,000 events waiting
                async with uow() as unit:
                    for n in range(first, first + BATCH):
                        fan = a_user(clock, f"fan_{n:05d}")
                        fan.pull_events()
                        await unit.users.add(fan)
                        at = clock.tick()
                        await unit.follows.add(fan.id, entity.id, at)
                        unit.record(
                            EntityFollowed(occurred_at=at, entity_id=entity.id, user_id=fan.id)
                        )
                    await unit.commit()

            async def made() -> int:
                async with engine.connect() as connection:
                    return int(
                        await connection.scalar(select(func.count()).select_from(notifications))
                        or 0
                    )

            await start(container)
            worker = Worker(container)
            await worker.start()
            started = time.monotonic()
            try:
                await until(made, BURST // 5, within=max(120.0, BURST * PATIENCE / 2))
                nats.stop()  # mid-burst
                at_stop = await made()
                await asyncio.sleep(1.0)
                nats.start()
                await nats.ready()
                await until(made, BURST, within=max(300.0, BURST * PATIENCE))
                elapsed = time.monotonic() - started
                await asyncio.sleep(2.0)  # anything doubled would show up now
            finally:
                await worker.stop()
                await stop(container)

            engine = bootstrap(Settings(database_url=database_url)).engine()
            try:
                async with engine.connect() as connection:
                    total = await connection.scalar(select(func.count()).select_from(notifications))
                    sources = await connection.scalar(
                        select(func.count(func.distinct(notifications.c.source_event_id)))
                    )
                    waiting = await connection.scalar(
                        select(func.count())
                        .select_from(outbox)
                        .where(outbox.c.published_at.is_(None))
                    )
            finally:
                await engine.dispose()
    assert at_stop < BURST, "the restart came after the burst: nothing was tested"
    assert total == sources == BURST
    print(f"\n{BURST} events through a NATS restart in {elapsed:.1f} s ({at_stop} before the stop)")
    assert waiting == 0
