"""Running the migrations shipped inside this package, from code.

The scripts live next to this module, so an installed wheel can migrate its database with no
`alembic.ini` and no source checkout.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from showgeo_adapters.sqlalchemy.engine import create_engine, normalize_url

SCRIPT_LOCATION = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    if url is not None:
        rendered = normalize_url(url).render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision`, creating it if needed (SQLite). Safe to run
    from several processes at once: they serialise on a lock and the later ones do nothing."""
    engine = migration_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade, alembic_config(url), revision)
    finally:
        await engine.dispose()


def migration_engine(url: str) -> AsyncEngine:
    """An engine whose SQLite connections have foreign keys off: batch migrations rebuild a
    table by copy, DROP and rename, and with foreign keys on that DROP would cascade-delete
    the rows referencing it. `env.py` runs `PRAGMA foreign_key_check` before committing."""
    engine = create_engine(url, pool_size=1)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _foreign_keys_off(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("PRAGMA foreign_keys=OFF")
            finally:
                cursor.close()

    return engine


def upgrade_sync(url: str, revision: str = "head") -> None:
    """For callers without an event loop (scripts, sync test fixtures)."""
    asyncio.run(upgrade(url, revision))


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
