"""PostgreSQL (asyncpg) and SQLite (aiosqlite) adapters: tables, repositories, the unit of
work with its outbox, and the Alembic migrations shipped inside the package."""

from showgeo_adapters.sqlalchemy.engine import create_engine, normalize_url
from showgeo_adapters.sqlalchemy.migrate import upgrade, upgrade_sync
from showgeo_adapters.sqlalchemy.unit_of_work import SqlUnitOfWork, sql_uow_factory

__all__ = [
    "SqlUnitOfWork",
    "create_engine",
    "normalize_url",
    "sql_uow_factory",
    "upgrade",
    "upgrade_sync",
]
