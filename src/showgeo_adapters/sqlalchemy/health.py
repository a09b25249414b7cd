"""Readiness: whether the database answers now, within a bound short enough for a probe, and
whether an error means it does not."""

from __future__ import annotations

import asyncio

import asyncpg
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

_UNAVAILABLE_ASYNCPG = (
    asyncpg.exceptions.CannotConnectNowError,  # starting up or shutting down
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError,
)


async def database_ready(engine: AsyncEngine, seconds: float = 2.0) -> bool:
    """Never raises: a probe wants a yes or no, and the reason is in the server's logs.
    AUTOCOMMIT, because on SQLite a transaction would queue behind writers for the lock."""
    try:
        async with asyncio.timeout(seconds), engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached right now (down, restarting,
    refusing connections, a connection cut mid-flight), as opposed to a bug: the API answers
    those with 503 and a retry hint instead of a 500."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionError | TimeoutError):
            return True
        if isinstance(current, OperationalError | InterfaceError):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, _UNAVAILABLE_ASYNCPG):
            return True
        current = current.__cause__ or current.__context__
    return False


def is_transaction_conflict(exc: BaseException) -> bool:
    """Whether PostgreSQL rolled the transaction back to settle a conflict with another one
    (deadlock detected, serialization failure: SQLSTATE class 40). Nothing was written and
    the same request may simply be sent again, so the API answers 503 with a retry hint;
    lock orders are kept fixed where we know them, so this is the net, not the plan."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, asyncpg.exceptions.TransactionRollbackError):
            return True
        current = current.__cause__ or current.__context__
    return False
