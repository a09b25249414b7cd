"""What every PostgreSQL repository shares: the way to its connection's asyncpg driver."""

from __future__ import annotations

from typing import Any

import asyncpg

from showgeo_adapters.sqlalchemy.postgres.driver import driver_in_transaction
from showgeo_adapters.sqlalchemy.postgres.read_only import ReadOnlyConnection
from showgeo_adapters.sqlalchemy.repositories._base import SqlRepository


class RecordRow:
    """An asyncpg record read by attribute, as the row builders read SQLAlchemy rows. The
    columns are copied into the instance's `__dict__` once: a `__getattr__` that looked each
    one up in the record made every read a failed attribute lookup first, which doubled
    the cost of building a row (see docs/benchmarks.md)."""

    def __init__(self, record: Any) -> None:
        self.__dict__.update(record.items())


class PostgresRepository(SqlRepository):
    """Base of the hand-written overrides, listed before the Core repository they override:
    `class PostgresFollowRepository(PostgresRepository, SqlFollowRepository)`."""

    async def _driver(self) -> asyncpg.Connection | None:
        """The asyncpg connection inside this unit's transaction, for a hand-written write;
        None when there is no transaction to join, and the override calls its Core parent."""
        return await driver_in_transaction(self._conn)

    async def _fetch(self, sql: str, *args: Any) -> list[Any] | None:
        """Hand-written SQL's rows, in this unit's transaction if it has one, on the bare
        pooled connection for a read-only unit (`read_only.ReadOnlyConnection`). None (not
        an empty list) only when no driver connection is to be had: the caller then runs its
        Core parent; an empty list is an answer."""
        if isinstance(self._conn, ReadOnlyConnection):
            return await self._conn.fetch(sql, *args)
        driver = await self._driver()
        if driver is None:
            return None
        records: list[Any] = await driver.fetch(sql, *args)
        return records
