"""A read-only unit of work on PostgreSQL connects lazily (`postgres/read_only.py`):
its hand-written reads use the pool's bare connection and send nothing through SQLAlchemy,
a Core query after them works, the unit never holds two pooled connections at once, and a
connection the server dropped is replaced instead of failing requests."""

from __future__ import annotations

from typing import Any

import asyncpg
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


async def terminate_pooled_connections(engine: Any) -> None:
    """What a server restart does to the pool's idle connections."""
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()


async def follow(backend: Backend, user: Any, entity: Any, clock: FakeClock) -> None:
    async with backend.uow() as uow:
        assert (
            await uow.follows.add(user.id, entity.id, clock.tick())
        ).changed  # hand-written write
        await uow.commit()


async def test_connections_the_server_dropped_are_replaced_for_reads_and_writes(
    postgres_backend: Backend, clock: FakeClock
) -> None:
    """Hand-written statements bypass SQLAlchemy's own disconnect handling: the pool's
    check-out refuses a closed connection (`postgres.driver.refuse_closed_connection`), and
    a read that still meets a broken one runs again on a fresh one. A read never fails for
    a connection that died while it sat in the pool, but for a write in the moment between
    the server's termination notice and its socket's end, which answers 503 to retry."""
    engine = postgres_backend.engine
    assert engine is not None
    ana, entity = a_user(clock, "ana"), an_entity(clock, "band")
    await store(postgres_backend.uow, users=[ana], entities=[entity])
    for _ in range(3):  # the pool now holds idle connections it will reuse
        async with postgres_backend.uow(read_only=True) as uow:
            assert await uow.entities.get(entity.id) is not None

    await terminate_pooled_connections(engine)
    async with postgres_backend.uow(read_only=True) as uow:
        found = await uow.entities.get(entity.id)
    assert found is not None

    await terminate_pooled_connections(engine)
    refused: Exception | None = None
    try:
        await follow(postgres_backend, ana, entity, clock)
    except Exception as exc:
        refused = exc
    if refused is not None:
        # Between the termination notice and the socket's end a dead connection can still
        # pass check-out: its write must be a 503 to retry, and the connection discarded.
        assert is_database_unavailable(refused), repr(refused)
        await follow(postgres_backend, ana, entity, clock)
    async with postgres_backend.uow(read_only=True) as uow:
        found = await uow.entities.get(entity.id)
    assert found is not None
    assert found.follower_count == 1
