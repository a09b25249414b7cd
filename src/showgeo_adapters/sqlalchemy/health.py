"""Readiness: whether the database answers now, within a bound short enough for a probe."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


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
