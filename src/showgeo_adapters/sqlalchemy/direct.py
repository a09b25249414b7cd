"""Hand-written PostgreSQL inside a unit of work's transaction, for the hottest statements.

Core builds a statement, looks its compiled form up in a cache and processes the result:
about two thirds of a Core statement's CPU, measured against the same SQL through asyncpg
(benchmarks/http_api.py). On the routes the benchmarks hold to a ratio of a bare asyncpg
ceiling (an entity page, the radius search, notifications, a follow, an order) the
repositories write their statements by hand through the connection this module hands out.
Everywhere else, and on SQLite, Core stays the reference: each hand-written statement has
its Core twin, and the contract suite runs both (SQLite and PostgreSQL).
"""

from __future__ import annotations

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection


async def driver_in_transaction(connection: AsyncConnection) -> asyncpg.Connection | None:
    """The asyncpg connection under `connection`, inside its transaction; None off
    PostgreSQL (the caller then runs its Core statement).

    A read-only unit of work runs in AUTOCOMMIT: there is no transaction to join. A writing
    one begins its transaction here if no statement has yet: SQLAlchemy's side (`begin`, so
    that its `commit` commits) and the driver's, which SQLAlchemy's asyncpg adapter begins
    lazily, at its first statement (`_start_transaction`: the one private name we lean on;
    should an upgrade take it away, every statement goes through Core again, slower but
    right, and tests/contract/test_direct_sql.py fails to say so)."""
    if connection.dialect.name != "postgresql":
        return None
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
    driver: asyncpg.Connection | None = raw.driver_connection
    return driver


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
