"""Alembic environment: async engines, and a connection handed in by `migrate.upgrade`.

Programmatic runs (app start-up, `showgeo db upgrade`) pass their connection in
`config.attributes["connection"]` because they already run inside an event loop; the
`alembic` command line gets an engine built from `sqlalchemy.url` instead.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from showgeo_adapters.sqlalchemy.migrate import migration_engine
from showgeo_adapters.sqlalchemy.tables import metadata

# Any constant works; it only has to be the same for every process migrating this database.
_MIGRATION_LOCK_KEY = 0x5340_4745_4F00  # "SHOGEO"


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    dialect = connection.dialect.name if connection is not None else (url or "").split(":")[0]
    context.configure(
        connection=connection,
        url=url,
        target_metadata=metadata,
        render_as_batch=dialect.startswith("sqlite"),
        compare_type=True,
        literal_binds=url is not None,
    )


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Two processes starting at once must not both create the tables; the second
            # waits here, then finds the version table already at head.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_KEY})")
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left dangling foreign keys: {broken[:5]}")


async def _run_from_url(url: str) -> None:
    engine = migration_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


def main() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        _configure(url=url)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    elif url:
        asyncio.run(_run_from_url(url))
    else:
        raise RuntimeError("set sqlalchemy.url or pass a connection in config.attributes")


main()
