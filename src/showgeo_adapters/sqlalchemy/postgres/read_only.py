"""The connection of a read-only unit of work on PostgreSQL: the pool's bare asyncpg
connection for the hand-written reads, an SQLAlchemy connection only once a Core query
comes.

The hottest reads (an entity page, the radius search, the first page of notifications) run
one hand-written statement. Checking an SQLAlchemy connection out of the pool and switching
it to AUTOCOMMIT costs several times what the pooled DBAPI connection alone costs
(`AsyncEngine.raw_connection`), more than the statement itself (figures in
docs/benchmarks.md): so a read-only unit takes the bare connection first, and starts
the SQLAlchemy connection on its first Core statement, after handing the bare one back. A
read-only unit runs no transaction (each statement is its own snapshot, as in AUTOCOMMIT),
so which pooled connection runs which statement changes nothing, and the unit never holds
two connections at once: units waiting for a second connection could exhaust the pool.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

from showgeo_adapters.sqlalchemy.postgres.driver import CONNECTION_LOST, driver_of


async def _fetch(pooled: PoolProxiedConnection, sql: str, args: tuple[Any, ...]) -> list[Any]:
    records: list[Any] = await driver_of(pooled).fetch(sql, *args)
    return records


class ReadOnlyConnection(AsyncConnection):
    """An `AsyncConnection` that connects lazily: Core statements go through SQLAlchemy as
    always (in AUTOCOMMIT), `fetch` goes through the bare pooled connection."""

    __slots__ = ("_bare",)

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self._bare: PoolProxiedConnection | None = None

    @property
    def dialect(self) -> Dialect:
        return self.sync_engine.dialect  # known before connecting

    @dialect.setter
    def dialect(self, value: Dialect) -> None:
        raise AttributeError("a read-only unit's connection keeps its engine's dialect")

    def in_transaction(self) -> bool:
        return False  # AUTOCOMMIT: each statement commits on its own

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        """Rows of hand-written SQL, on the connection this unit holds. A bare connection
        found broken is dropped from the pool and the read runs once more on a fresh one:
        a read changes nothing, so running it again is safe."""
        if self.sync_connection is not None:
            pooled = await super().get_raw_connection()
            return await _fetch(pooled, sql, args)
        try:
            return await self._fetch_bare(sql, args)
        except CONNECTION_LOST:
            return await self._fetch_bare(sql, args)  # once more, on a fresh connection

    async def _fetch_bare(self, sql: str, args: tuple[Any, ...]) -> list[Any]:
        if self._bare is None:
            self._bare = await self.engine.raw_connection()
        try:
            return await _fetch(self._bare, sql, args)
        except CONNECTION_LOST:
            broken, self._bare = self._bare, None
            await greenlet_spawn(broken.invalidate)  # the pool must not hand it out again
            raise

    async def _connect_for_core(self) -> None:
        if self.sync_connection is None:
            await self._hand_back_bare()
            await self.start()
            await self.execution_options(isolation_level="AUTOCOMMIT")

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        await self._connect_for_core()
        return await super().execute(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        await self._connect_for_core()
        return await super().scalar(*args, **kwargs)

    async def scalars(self, *args: Any, **kwargs: Any) -> Any:
        await self._connect_for_core()
        return await super().scalars(*args, **kwargs)

    async def exec_driver_sql(self, *args: Any, **kwargs: Any) -> Any:
        await self._connect_for_core()
        return await super().exec_driver_sql(*args, **kwargs)

    async def get_raw_connection(self) -> PoolProxiedConnection:
        await self._connect_for_core()
        return await super().get_raw_connection()

    async def close(self) -> None:
        await self._hand_back_bare()
        if self.sync_connection is not None:
            await super().close()

    async def _hand_back_bare(self) -> None:
        bare, self._bare = self._bare, None
        if bare is not None:
            await greenlet_spawn(bare.close)
