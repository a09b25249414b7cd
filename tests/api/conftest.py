"""The Litestar app through its async test client, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import make_url, select

from showgeo_adapters.sqlalchemy import create_engine
from showgeo_adapters.sqlalchemy.tables import outbox
from showgeo_api.app import create_app
from showgeo_api.processes.event_schema import event_schemas, event_types, schema_version
from showgeo_api.settings import Settings
from tests.support.migrated import postgres_copy, sqlite_copy

PUBLISHED = event_types()
DOCUMENTED_FIELDS = {
    subject: set(schema.get("properties", {})) for subject, schema in event_schemas().items()
}
FAST_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_kib": 8, "argon2_parallelism": 1}


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated database of the test's own (a copy of a session template)."""
    if request.param == "sqlite":
        await sqlite_copy(tmp_path / "api.db")
        yield f"sqlite+aiosqlite:///{tmp_path / 'api.db'}"
    else:
        async with postgres_copy() as url:
            yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        showgeo_env="test",  # type: ignore[arg-type]
        database_url=database_url,
        auto_migrate=True,
        assets_local_dir=str(tmp_path / "assets"),
        mail_dir=str(tmp_path / "mail"),
        auth_rate_limit_per_client=10_000,
        auth_rate_limit_per_account=10_000,
        **FAST_ARGON2,  # type: ignore[arg-type]
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client
    await check_published_events(settings.database_url)


async def check_published_events(database_url: str) -> None:
    """Every event any API test made the platform write to its outbox must match its
    published schema (docs/events.md, `showgeo events schema`): so the documentation cannot
    drift from the wire, whichever route produced the event."""
    for subject, payload in await _outbox_rows(database_url):
        assert subject in PUBLISHED, f"{subject} is written to the outbox but not published"
        event = msgspec.json.decode(payload, type=PUBLISHED[subject])  # types and required
        documented = DOCUMENTED_FIELDS[subject]
        extra = set(msgspec.json.decode(payload)) - documented
        assert not extra, f"{subject} carries fields its schema does not document: {extra}"
        assert event.schema_version == schema_version(PUBLISHED[subject])


async def _outbox_rows(database_url: str) -> list[tuple[str, bytes]]:
    if database_url.startswith("sqlite"):
        # A plain connection reading in autocommit: the adapter's engine opens every
        # transaction with BEGIN IMMEDIATE, which would wait for a write lock; a WAL reader
        # never waits for writers.
        path = make_url(database_url).database

        def read() -> list[tuple[str, bytes]]:
            with contextlib.closing(
                sqlite3.connect(str(path), timeout=30, isolation_level=None)
            ) as connection:
                return list(connection.execute("SELECT subject, payload FROM outbox"))

        return await asyncio.to_thread(read)
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(select(outbox.c.subject, outbox.c.payload))
            return [(subject, payload) for subject, payload in rows]
    finally:
        await engine.dispose()


@dataclass
class Account:
    id: str
    username: str
    email: str
    password: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


async def register(client: AsyncTestClient, username: str, **extra: Any) -> Account:
    body = {
        "email": f"{username}@example.com",
        "username": username,
        "password": "correct horse battery",
        **extra,
    }
    response = await client.post("/auth/register", json=body)
    assert response.status_code == 201, response.text
    data = response.json()
    return Account(
        id=data["user"]["id"],
        username=username,
        email=body["email"],
        password=body["password"],
        access_token=data["access_token"],
        refresh_token=data["refresh_token"],
    )


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is RFC 9457 problem+json with `status` (and `code` when given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["type"]
    assert "detail" in body
    if code is not None:
        assert body["code"] == code, body
    return body
