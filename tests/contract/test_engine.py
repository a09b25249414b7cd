"""Engine set-up: the URLs people actually write, and the SQLite settings the adapters rely on."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from showgeo_adapters.sqlalchemy import create_engine, normalize_url
from showgeo_adapters.sqlalchemy.health import database_ready
from showgeo_adapters.sqlalchemy.migrate import alembic_config
from tests.contract.conftest import Backend


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgres://u:p@db:5432/app", "postgresql+asyncpg"),
        ("postgresql://u:p@db/app", "postgresql+asyncpg"),
        ("postgresql+asyncpg://u:p@db/app", "postgresql+asyncpg"),
        ("sqlite:///./showgeo.db", "sqlite+aiosqlite"),
        ("sqlite+aiosqlite:///./showgeo.db", "sqlite+aiosqlite"),
    ],
)
def test_plain_urls_select_the_async_drivers(given: str, driver: str) -> None:
    url = normalize_url(given)
    assert url.drivername == driver


def test_libpq_sslmode_becomes_asyncpg_ssl() -> None:
    url = normalize_url("postgresql://u@db/app?sslmode=require")
    assert dict(url.query) == {"ssl": "require"}


async def test_sqlite_connections_enforce_foreign_keys_and_wait_for_locks(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'x.db'}")
    try:
        async with engine.connect() as connection:
            pragmas = {
                name: await connection.scalar(text(f"PRAGMA {name}"))
                for name in ("foreign_keys", "journal_mode", "busy_timeout", "synchronous")
            }
    finally:
        await engine.dispose()
    assert pragmas == {
        "foreign_keys": 1,
        "journal_mode": "wal",
        "busy_timeout": 10_000,
        "synchronous": 1,  # NORMAL
    }


async def test_a_live_database_is_ready(sql_backend: Backend) -> None:
    assert sql_backend.engine is not None
    assert await database_ready(sql_backend.engine) is True


async def test_an_unreachable_database_is_not_ready_and_says_so_quickly() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = create_engine(f"postgresql://postgres@127.0.0.1:{port}/nothing")
    try:
        started = asyncio.get_running_loop().time()
        assert await database_ready(engine, seconds=2) is False
        assert asyncio.get_running_loop().time() - started < 3
    finally:
        await engine.dispose()


def test_the_alembic_command_line_path_migrates_too(tmp_path: Path) -> None:
    """`alembic upgrade` with only a URL (no connection handed in) runs its own event loop."""
    config = alembic_config(f"sqlite:///{tmp_path / 'cli.db'}")
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")
