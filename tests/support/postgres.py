"""Throwaway PostgreSQL databases for tests: created fresh, dropped after.

Without a reachable server the test is skipped on a developer machine and fails under
`CI=true`, where a missing service is a broken build, never a silent skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

SERVER_DSN = os.environ.get("SHOWGEO_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


def _unavailable(reason: str) -> None:
    message = f"PostgreSQL is needed at {SERVER_DSN}: {reason}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


async def admin_connection() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(f"{SERVER_DSN}/postgres", timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        _unavailable(str(exc))
        raise  # unreachable: skip/fail raise


@asynccontextmanager
async def fresh_database(*, template: str | None = None) -> AsyncIterator[str]:
    """Yield the SQLAlchemy URL of a new database (empty, or a copy of `template`); drop it
    afterwards."""
    name = f"showgeo_t_{uuid.uuid4().hex[:16]}"
    admin = await admin_connection()
    try:
        copy = f' TEMPLATE "{template}"' if template else ""
        await admin.execute(f'CREATE DATABASE "{name}"{copy}')
    finally:
        await admin.close()
    try:
        yield f"{SERVER_DSN.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    finally:
        admin = await asyncpg.connect(f"{SERVER_DSN}/postgres", timeout=5)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
