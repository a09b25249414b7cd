"""The one module that reaches under SQLAlchemy to asyncpg's own connection.

Core builds a statement, looks its compiled form up in a cache and processes the result:
most of a Core statement's CPU, measured against the same SQL through asyncpg (see
docs/benchmarks.md). The PostgreSQL repositories (this package) write the hot statements by
hand on the connection handed out here; everything else, and SQLite, stays on the portable
Core repositories they subclass, and the contract suite runs both. Three ways in, all here:
a writing unit's connection inside its transaction (`driver_in_transaction`), a pooled
connection (`driver_of`, for a read-only unit's bare reads) and the pool's check-out hook
(`refuse_closed_connection`).
"""

from __future__ import annotations

from typing import Any

import asyncpg
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import PoolProxiedConnection


async def driver_in_transaction(connection: AsyncConnection) -> asyncpg.Connection | None:
    """The asyncpg connection under `connection`, inside its transaction; None when there is
    none to join (the caller then runs its Core statement).

    A read-only unit of work runs in AUTOCOMMIT: there is no transaction to join. A writing
    one begins its transaction here if no statement has yet: SQLAlchemy's side (`begin`, so
    that its `commit` commits) and the driver's, which SQLAlchemy's asyncpg adapter begins
    lazily, at its first statement (`_start_transaction`: the one private name we lean on;
    should an upgrade take it away, every statement goes through Core again, slower but
    right, and tests/contract/test_postgres_sql.py fails to say so)."""
    sync = connection.sync_connection
    if sync is None:
        return None
    raw = await connection.get_raw_connection()
    if sync.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        adapted = raw.dbapi_connection
        start = getattr(adapted, "_start_transaction", None)
        if start is None or not hasattr(adapted, "_transaction"):
            return None
        if not connection.in_transaction():
            await connection.begin()
        if getattr(adapted, "_transaction", None) is None:
            try:
                await start()
            except Exception as exc:
                # SQLAlchemy's own disconnect handling never saw this statement: a connection
                # the server dropped (its termination notice read, its socket not yet closed)
                # must not go back to the pool. The request answers 503 (a ConnectionError);
                # the next one checks out a live connection.
                if not _lost(exc):
                    raise
                await connection.invalidate()
                raise ConnectionError("the database dropped this pooled connection") from exc
    return driver_of(raw)


def driver_of(pooled: PoolProxiedConnection) -> asyncpg.Connection:
    """The asyncpg connection of a pooled connection, as it is: no transaction is begun."""
    driver: asyncpg.Connection | None = pooled.driver_connection
    assert driver is not None, "a pooled connection checked out has its driver connection"
    return driver


def refuse_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """The pool's check-out hook: a pooled connection the server dropped while it sat idle
    (a restart, an idle timeout, `pg_terminate_backend`) is known to asyncpg without a round
    trip (`is_closed`): refuse it and the pool opens another (SQLAlchemy's documented
    pessimistic recipe, without the ping). Hand-written statements do not pass through
    SQLAlchemy's own disconnect handling, so without this a dead connection would go back
    to the pool and fail request after request."""
    driver = getattr(dbapi_connection, "driver_connection", None)
    if driver is not None and driver.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def _lost(exc: BaseException) -> bool:
    """Whether `exc` (or what it wraps) says the driver's connection is gone or unusable."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, CONNECTION_LOST):
            return True
        current = current.__cause__ or current.__context__
    return False


# What a connection the server dropped raises through asyncpg directly. An
# InternalClientError ("cannot switch to state …") is what asyncpg raises when the server's
# termination notice has been read but the socket's end not yet.
CONNECTION_LOST = (
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    OSError,
)
