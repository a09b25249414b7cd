"""A read-only unit of work on PostgreSQL connects lazily (`read_only.ReadOnlyConnection`):
its hand-written reads use the pool's bare connection and send nothing through SQLAlchemy,
a Core query after them works, the unit never holds two pooled connections at once, and a
connection the server dropped is not handed out again."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from sqlalchemy import event

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.sqlalchemy.health import is_database_unavailable
from showgeo_domain.shared.pagination import PageRequest
from tests.contract.builders import a_user, an_entity, store
from tests.contract.conftest import Backend


async def test_a_hot_read_uses_the_bare_connection_and_a_core_read_after_it_works(
    postgres_backend: Backend, clock: FakeClock
) -> None:
    engine = postgres_backend.engine
    assert engine is not None
    pool = engine.sync_engine.pool
    ana, entity = a_user(clock, "ana"), an_entity(clock, "band")
    await store(postgres_backend.uow, users=[ana], entities=[entity])
    sent: list[str] = []

    def remember(*args: Any) -> None:
        sent.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", remember)
    try:
        async with postgres_backend.uow(read_only=True) as uow:
            found = await uow.entities.get(entity.id)  # hand-written
            assert sent == []
            assert pool.checkedout() == 1
            followers = await uow.follows.list_followers(entity.id, PageRequest(limit=5))
            assert sent  # Core, through SQLAlchemy's connection now
            assert pool.checkedout() == 1
            again = await uow.entities.get(entity.id)  # on SQLAlchemy's connection
        assert pool.checkedout() == 0
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", remember)
    assert found is not None
    assert again is not None
    assert found.id == again.id == entity.id
    assert followers.items == []


async def test_a_dropped_connection_fails_one_read_and_is_not_reused(
    postgres_backend: Backend, clock: FakeClock
) -> None:
    engine = postgres_backend.engine
    assert engine is not None
    entity = an_entity(clock, "band")
    await store(postgres_backend.uow, entities=[entity])
    async with postgres_backend.uow(read_only=True) as uow:
        await uow.entities.get(entity.id)  # the pool now holds a connection it will reuse

    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()

    with pytest.raises(Exception) as failed:  # noqa: PT011 (the driver's own class)
        async with postgres_backend.uow(read_only=True) as uow:
            await uow.entities.get(entity.id)
    assert is_database_unavailable(failed.value)
    async with postgres_backend.uow(read_only=True) as uow:
        found = await uow.entities.get(entity.id)
    assert found is not None
