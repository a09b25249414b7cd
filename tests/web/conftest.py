"""Pages through Litestar's test client on a migrated SQLite copy (the browser tests in
test_browser.py start a real server instead)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from tests.api.conftest import FAST_ARGON2
from tests.support.migrated import sqlite_copy


@pytest.fixture
async def settings(tmp_path: Path) -> Settings:
    await sqlite_copy(tmp_path / "web.db")
    return Settings(
        showgeo_env="test",  # type: ignore[arg-type]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'web.db'}",
        auto_migrate=True,
        assets_local_dir=str(tmp_path / "assets"),
        auth_rate_limit_per_client=10_000,
        auth_rate_limit_per_account=10_000,
        **FAST_ARGON2,  # type: ignore[arg-type]
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client
