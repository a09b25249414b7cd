"""Migrated databases without migrating each time: the migrations run once per test session
into a template, and each test gets a copy (PostgreSQL `CREATE DATABASE … TEMPLATE`, a file
copy for SQLite). Ten Alembic migrations per test were most of the API suite's time.

Tests of the migrations themselves (`tests/contract/test_migrations.py`,
`tests/contract/test_engine.py`) keep migrating empty databases of their own.
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from showgeo_adapters.sqlalchemy import upgrade
from tests.support.postgres import SERVER_DSN, admin_connection, fresh_database

_sqlite_template: Path | None = None
_postgres_template: str | None = None


async def sqlite_copy(target: Path) -> None:
    """A migrated SQLite database at `target`."""
    global _sqlite_template
    if _sqlite_template is None:
        folder = Path(tempfile.mkdtemp(prefix="showgeo-template-"))
        atexit.register(shutil.rmtree, folder, True)
        template = folder / "template.db"
        await upgrade(f"sqlite:///{template}")
        _sqlite_template = template
    shutil.copyfile(_sqlite_template, target)


@asynccontextmanager
async def postgres_copy() -> AsyncIterator[str]:
    """The URL of a new migrated PostgreSQL database, dropped afterwards."""
    template = await _postgres_template_name()
    async with fresh_database(template=template) as url:
        yield url


async def _postgres_template_name() -> str:
    global _postgres_template
    if _postgres_template is None:
        name = f"showgeo_tpl_{uuid.uuid4().hex[:12]}"
        admin = await admin_connection()
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        url = f"{SERVER_DSN.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
        await upgrade(url)  # disposes its engine: no connection is left on the template
        atexit.register(_drop_template, name)
        _postgres_template = name
    return _postgres_template


def _drop_template(name: str) -> None:
    async def drop() -> None:
        admin = await asyncpg.connect(f"{SERVER_DSN}/postgres", timeout=5)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    try:
        asyncio.run(drop())
    except Exception:  # the server went away first: nothing to clean
        return
