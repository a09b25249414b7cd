"""Every contract test runs against each implementation of the port: the memory fake, SQLite
and PostgreSQL. The SQL databases are fresh per test and built by the shipped Alembic
migrations, so the migrations are under test too."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from uuid import UUID

import msgspec
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from showgeo_adapters.memory import FakeClock, MemoryStore, memory_uow_factory
from showgeo_adapters.sqlalchemy import create_engine, sql_uow_factory
from showgeo_adapters.sqlalchemy.tables import outbox
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from tests.support.migrated import postgres_copy, sqlite_copy

# Enough connections for the concurrency tests' 50 simultaneous units of work.
POOL_SIZE = 30


@dataclass(frozen=True)
class OutboxEntry:
    event_id: UUID
    subject: str
    payload: dict[str, Any]


@dataclass
class Backend:
    name: str
    uow: PlatformUnitOfWorkFactory
    engine: AsyncEngine | None = None
    store: MemoryStore | None = None

    async def outbox(self) -> list[OutboxEntry]:
        """Committed events in outbox order, the same shape whatever stores them."""
        if self.store is not None:
            return [
                OutboxEntry(e.id, type(e).subject(), msgspec.to_builtins(e))
                for e in self.store.outbox
            ]
        assert self.engine is not None
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(outbox.c.id, outbox.c.subject, outbox.c.payload).order_by(outbox.c.sequence)
            )
            return [OutboxEntry(r.id, r.subject, msgspec.json.decode(r.payload)) for r in rows]


_POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@pytest.fixture(params=["memory", "sqlite", _POSTGRES])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    async with _open(request.param, tmp_path) as opened:
        yield opened


@pytest.fixture(params=["sqlite", _POSTGRES])
async def sql_backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    """For what only a database has: its schema, its own SQL."""
    async with _open(request.param, tmp_path) as opened:
        yield opened


@pytest.fixture(params=[_POSTGRES])
async def postgres_backend(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Backend]:
    """For what only PostgreSQL does (row locks that concurrent writers skip past)."""
    async with _open(request.param, tmp_path) as opened:
        yield opened


@asynccontextmanager
async def _open(name: str, tmp_path: Path) -> AsyncIterator[Backend]:
    if name == "memory":
        store = MemoryStore()
        # cast: the fake's repositories are its own classes, and the port's attributes are
        # invariant (see the report on `UnitOfWork`).
        uow = cast(PlatformUnitOfWorkFactory, memory_uow_factory(store))
        yield Backend("memory", uow, store=store)
    elif name == "sqlite":
        await sqlite_copy(tmp_path / "contract.db")
        async with _migrated(f"sqlite:///{tmp_path / 'contract.db'}") as opened:
            yield opened
    else:
        async with postgres_copy() as url, _migrated(url) as opened:
            yield opened


@asynccontextmanager
async def _migrated(url: str) -> AsyncIterator[Backend]:
    """`url` holds a copy of the migrated template: open it."""
    engine = create_engine(url, pool_size=POOL_SIZE)
    try:
        yield Backend(engine.dialect.name, sql_uow_factory(engine), engine)
    finally:
        await engine.dispose()  # before the database is dropped: no pooled connection holds it


@pytest.fixture
def uow_factory(backend: Backend) -> PlatformUnitOfWorkFactory:
    return backend.uow


@pytest.fixture
def read_outbox(backend: Backend) -> Callable[[], Awaitable[list[OutboxEntry]]]:
    return backend.outbox


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
