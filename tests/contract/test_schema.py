"""The migrations and `tables.py` describe one schema: repositories are written against the
tables, deployments get the migrations, and a drift between them would only show in production."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from showgeo_adapters.sqlalchemy import upgrade
from showgeo_adapters.sqlalchemy.tables import metadata
from tests.contract.conftest import Backend


async def test_the_migrated_schema_is_the_tables_module(sql_backend: Backend) -> None:
    assert sql_backend.engine is not None
    async with sql_backend.engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(
                    sync, opts={"compare_type": True, "compare_server_default": True}
                ),
                metadata,
            )
        )
    assert diff == []


async def test_upgrading_again_changes_nothing(sql_backend: Backend) -> None:
    assert sql_backend.engine is not None
    await upgrade(sql_backend.engine.url.render_as_string(hide_password=False))
