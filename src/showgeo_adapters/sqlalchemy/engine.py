"""Engines for the two supported databases, configured so both behave like one.

SQLite needs the most help: foreign keys are off by default, and pysqlite's legacy
transaction handling starts transactions lazily with a plain `BEGIN`, so two writers that
both read first deadlock on the lock upgrade and one fails with "database is locked".
Starting every transaction with `BEGIN IMMEDIATE` takes the write lock up front: writers
queue on `busy_timeout` instead of failing (SQLAlchemy's documented recipe, see "Enabling
Non-Legacy SQLite Transactional Modes"). Readers outside a transaction are unaffected by WAL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from showgeo_adapters.sqlalchemy.postgres.driver import refuse_closed_connection

SQLITE_BUSY_TIMEOUT_MS = 10_000

_DRIVERS = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
}


def normalize_url(url: str | URL) -> URL:
    """The async-driver form of `url`: plain `postgres://`, `postgresql://` and `sqlite://`
    URLs (as hosting platforms and users write them) select asyncpg and aiosqlite."""
    parsed = make_url(url)
    parsed = parsed.set(drivername=_DRIVERS.get(parsed.drivername, parsed.drivername))
    if parsed.drivername == "postgresql+asyncpg" and "sslmode" in parsed.query:
        # libpq spells it sslmode; asyncpg only understands ssl.
        query = dict(parsed.query)
        query["ssl"] = query.pop("sslmode")
        parsed = parsed.set(query=query)
    return parsed


def create_engine(url: str | URL, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, pool_size=pool_size, echo=echo)
    engine = create_async_engine(
        parsed,
        echo=echo,
        # Up to twice `pool_size` connections, as before, but all of them kept: with an
        # overflow half, a connection beyond `pool_size` was closed on return and opened again
        # moments later under load (a visible share of a loaded read's profile, see
        # docs/benchmarks.md, and a request waited for each connect).
        pool_size=2 * pool_size,
        max_overflow=0,
        # No pre-ping: it was a round trip on every checkout. A connection found dead (a
        # restarted server) fails its request with 503 database_unavailable and SQLAlchemy
        # then invalidates the whole pool, so the next requests connect afresh.
        pool_pre_ping=False,
    )
    event.listen(engine.sync_engine, "checkout", refuse_closed_connection)
    return engine


def _sqlite_engine(url: URL, *, pool_size: int, echo: bool) -> AsyncEngine:
    in_memory = url.database in (None, "", ":memory:")
    options: dict[str, Any] = {"echo": echo}
    if not in_memory:
        assert url.database is not None
        if not url.query.get("uri"):
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        options["pool_size"] = pool_size
        options["max_overflow"] = pool_size
    engine = create_async_engine(url, **options)

    @event.listens_for(engine.sync_engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see `_begin`).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()
        # SQLite's built-in lower() folds ASCII only; Python's folds what users type.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        # AUTOCOMMIT callers (health probes) want no transaction, so no write lock.
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value
